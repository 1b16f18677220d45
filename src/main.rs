fn main() -> std::process::ExitCode {
    concord::cli::main()
}
