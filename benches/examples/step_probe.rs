#![allow(missing_docs, clippy::unwrap_used)]
use benches::session::{canned, restore_tree, PACKAGES};
use dm_session::{NoUi, WireEncoding};
fn main() {
    let pkg = std::env::args().nth(1).unwrap();
    let n: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let (_, cmds) = PACKAGES.iter().find(|(name, _)| *name == pkg).unwrap();
    let (client, snap, body) = canned(WireEncoding::Wbxml, cmds());
    let mut best = f64::MAX;
    for _ in 0..7 {
        let mut work: Vec<_> = (0..n)
            .map(|_| (client.clone(), restore_tree(&snap)))
            .collect();
        let t0 = std::time::Instant::now();
        for (cl, tree) in &mut work {
            cl.handle_incoming(tree, &mut NoUi, std::hint::black_box(&body), None)
                .unwrap();
            std::hint::black_box(cl.poll_transmit().unwrap().unwrap());
        }
        best = best.min(t0.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    eprintln!("{pkg}: {best:.2} us per step");
}
