//! How the time of some work grows with its input, for the tests that guard against quadratic (or worse) work on
//! hostile input. A wall-clock bound ("under 2 s") depends on the machine: a slow or busy CI runner fails it, a fast
//! one hides a regression. What those tests are about is growth, so they time the work (the CPU time of the thread
//! doing it) at a size `n` and at [`GROWTH`] times `n` and bound the ratio: linear work takes about 8 times as long,
//! quadratic 64 times.
#![allow(dead_code)]

use std::hint::black_box;
use std::time::Duration;

/// How much larger the second input is than the first.
pub const GROWTH: usize = 8;
/// Most the time may grow when the input grows [`GROWTH`] times: linear is 8×, quadratic 64×. The slack above 8
/// absorbs what isn't the algorithm (a larger input falling out of the caches, the allocator, the timer).
pub const MAX_RATIO: f64 = 20.0;
/// Rounds of one run at each size; the fastest run at each size counts, since noise (interrupts, caches emptied by
/// other threads, page faults) only ever adds time. Small and large runs alternate, so a noisy spell hits both.
const MIN_ROUNDS: usize = 2;
/// Rounds run while the ratio is over the bound, before it fails: a noisy spell may have hit the larger runs only.
const MAX_ROUNDS: usize = 6;

/// One hostile input of a test that has several: what it is, its full size, and how to build it at a size.
pub type Case = (&'static str, usize, fn(usize) -> String);

/// Times `run` on the inputs `make` builds (not timed) at size `n` and at `GROWTH * n`, and fails when the larger
/// input took more than [`MAX_RATIO`] times as long. Returns what `run` made of the larger input, for the test's own
/// assertions. `n` should make the smaller run take a millisecond at least, or timer noise decides the ratio.
pub fn assert_linear<I, O>(what: &str, n: usize, make: impl Fn(usize) -> I, mut run: impl FnMut(&I) -> O) -> O {
    let inputs = [make(n), make(n * GROWTH)];
    let mut best = [Duration::MAX; 2];
    let mut last = None;
    // A first run of the smaller input, as warm-up (lazy initialisation, the allocator's first pages); it counts.
    best[0] = time(&mut run, &inputs[0]).0;
    for round in 1..=MAX_ROUNDS {
        best[0] = best[0].min(time(&mut run, &inputs[0]).0);
        let (took, out) = time(&mut run, &inputs[1]);
        best[1] = best[1].min(took);
        last = Some(out);
        if round >= MIN_ROUNDS && ratio(best) < MAX_RATIO {
            break;
        }
    }
    let [small, large] = best;
    let ratio = ratio(best);
    println!("{what}: {n} in {small:?}, {} in {large:?}: {ratio:.1}× the time for {GROWTH}× the input", n * GROWTH);
    assert!(
        ratio < MAX_RATIO,
        "{what}: {ratio:.1}× the time for {GROWTH}× the input (at most {MAX_RATIO}×; linear is about {GROWTH}×): \
         {n} took {small:?}, {} took {large:?}",
        n * GROWTH
    );
    last.unwrap()
}

/// How long one run took, and what it made (dropped after the clock stops).
fn time<I, O>(run: &mut impl FnMut(&I) -> O, input: &I) -> (Duration, O) {
    let started = cpu_time();
    let out = black_box(run(black_box(input)));
    (cpu_time() - started, out)
}

/// The CPU time this thread has used. Not the wall clock: on a busy machine (more threads than CPUs) a run of 2 ms
/// may fit in one time slice while one of 20 ms never does, and the waits would count against the larger input.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn cpu_time() -> Duration {
    use std::ffi::{c_int, c_long};
    #[repr(C)]
    struct Timespec {
        sec: c_long,
        nsec: c_long,
    }
    extern "C" {
        fn clock_gettime(clock: c_int, now: *mut Timespec) -> c_int;
    }
    const CLOCK_THREAD_CPUTIME_ID: c_int = 3;
    let mut now = Timespec { sec: 0, nsec: 0 };
    // SAFETY: clock_gettime only writes one timespec (two longs on 64-bit Linux) where it is told.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(now.sec as u64, now.nsec as u32)
}

/// Elsewhere, the wall clock (from the first call).
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn cpu_time() -> Duration {
    use std::time::Instant;
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

fn ratio([small, large]: [Duration; 2]) -> f64 {
    large.as_secs_f64() / small.as_secs_f64().max(1e-9)
}
