// The migrations are embedded in the binary; a new migration folder must
// rebuild it (cargo does not see new files by itself).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
