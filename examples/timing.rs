use concord::db::Db;
use concord::partnerships::portfolio::{self, PortfolioFilter};
fn main() {
    let db = Db::connect("sqlite://bench/out/portfolio-50000.db", 2).unwrap();
    let f = PortfolioFilter::default().clean(false);
    for _ in 0..2 {
        let t = std::time::Instant::now();
        let p = db.read_blocking(|c| portfolio::load(c, &f, None, 0, 25)).unwrap();
        println!("load {:?} total {}", t.elapsed(), p.total);
    }
}
