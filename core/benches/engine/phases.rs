//! R4's alternation of a writer with readers, shared by the engine bench and the suite
//! (`core/benches/suite`, through `#[path]`): reader phases alternately with a writer
//! thread writing continuously and with it idle.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Per side (0: writer idle, 1: writing) the read times (us) and the phases' wall time,
/// and the rows written while writing.
pub struct Sides {
    pub times: [Vec<f64>; 2],
    pub wall: [Duration; 2],
    pub written: u64,
}

/// Runs `rounds` rounds of two phases each, writer idle then writing (every other round
/// the other way round); `phase(next)` reads and answers its times and wall time, `next`
/// starting at `first` and growing by `step` per phase. While writing, a writer thread
/// calls `write(i)` (i = 0, 1, ...) back to back, each call writing `rows_per_write`
/// rows; a phase ends only after a write under way has finished.
pub fn alternate(
    write: &(dyn Fn(usize) + Sync),
    rows_per_write: u64,
    rounds: usize,
    first: usize,
    step: usize,
    phase: &dyn Fn(usize) -> (Vec<f64>, Duration),
) -> Sides {
    let writing = AtomicBool::new(false);
    let busy = AtomicBool::new(false);
    let stop = AtomicBool::new(false);
    let written = AtomicU64::new(0);
    let mut out = Sides {
        times: [Vec::new(), Vec::new()],
        wall: [Duration::ZERO; 2],
        written: 0,
    };
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                // Raised before looking at `writing`, so that a phase change waits for a
                // write under way (see `set_writing`).
                busy.store(true, Ordering::SeqCst);
                if writing.load(Ordering::SeqCst) {
                    write(i);
                    written.fetch_add(rows_per_write, Ordering::SeqCst);
                    i += 1;
                    busy.store(false, Ordering::SeqCst);
                } else {
                    busy.store(false, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
        });
        let set_writing = |on: bool| {
            writing.store(on, Ordering::SeqCst);
            while !on && busy.load(Ordering::SeqCst) {
                std::hint::spin_loop();
            }
        };
        let mut next = first;
        for round in 0..rounds {
            for turn in 0..2 {
                let on = (round + turn) % 2;
                set_writing(on == 1);
                let w0 = written.load(Ordering::SeqCst);
                let (t, elapsed) = phase(next);
                set_writing(false);
                if on == 1 {
                    out.written += written.load(Ordering::SeqCst) - w0;
                }
                out.times[on].extend(t);
                out.wall[on] += elapsed;
                next += step;
            }
        }
        stop.store(true, Ordering::SeqCst);
    });
    out
}
