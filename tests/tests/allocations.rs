//! What differentiating the benchmark network allocates, weighed against the hand-written
//! passes on the same backend: the proof that the tape never copies a value it only reads and
//! accumulates gradients in place.
//!
//! The network is the one of `benches/mlp.rs` (784 → 300 → 100 → 10; one sample, and a batch of
//! 128 columns). Its weight matrices are large (`W₁` is 1.9 MB), so one needless copy of a
//! weight, of its gradient, or of a batch activation shows up as megabytes, far above the
//! tape's own bookkeeping (node arrays, value stores, boxed pullbacks: kilobytes). Counted by a
//! wrapping global allocator, so this file is one test (every backend of
//! `backprop_tests::for_each_backend!` in turn): tests running in parallel would be counted
//! together. It lives in the tests crate to share that list; the network is
//! `backprop-linalg/benches/network/mod.rs`, read by path.

use backprop_tests::Double;
use std::alloc::System;

use backprop_linalg::{eval_bp, eval_bp_data, grad_bp_data, sum_elements};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, Stats, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

// The benchmark's network and data; its measurement closures are not weighed here.
#[allow(dead_code)]
#[path = "../../backprop-linalg/benches/network/mod.rs"]
mod network;

use network::{Setup, grad_batch_hand, grad_hand, loss, loss_batch, run_hand};

/// What the tape may allocate beyond the hand-written pass: its bookkeeping (node arrays, typed
/// value stores, boxed pullbacks and gradients: a few hundred bytes per node, for a few dozen nodes)
/// plus 5 % for intermediates it keeps where hand-written code overwrites in place (the
/// softmax's 10 × 128 arrays, say). One copy of a weight or of its gradient (`W₂` is 240 kB,
/// `W₁` 1.9 MB), or of a batch activation (307 kB), is more.
fn allowance(hand: usize) -> usize {
    64 * 1024 + hand / 20
}

/// What `f` allocates (its result is kept until the count is taken, so it is included). `f` runs
/// once before it is weighed: a backend's first product of a shape may set up workspace it keeps.
fn weigh<T>(f: impl Fn() -> T) -> Stats {
    drop(f());
    let region = Region::new(GLOBAL);
    let out = f();
    let stats = region.change();
    drop(out);
    stats
}

/// Autodiff allocates no more bytes than the hand-written pass plus the tape's bookkeeping.
fn compare(what: &str, autodiff: Stats, hand: Stats) {
    let (a, h) = (autodiff.bytes_allocated, hand.bytes_allocated);
    println!(
        "{what}: autodiff {a} B in {} blocks, hand-written {h} B in {} blocks ({:.3}×)",
        autodiff.allocations,
        hand.allocations,
        a as f64 / h as f64
    );
    assert!(
        a <= h + allowance(h),
        "{what}: autodiff allocated {a} B, the hand-written pass {h} B: {} B more than the \
         tape's allowance ({} B); a value or gradient is being copied",
        a - h,
        allowance(h)
    );
}

fn weigh_backend<B: Double>() {
    let Setup { net, sample, batch } = Setup::<B>::new();
    let ((x, t), (xb, tb)) = (&sample, &batch);
    let name = B::NAME;

    compare(
        &format!("{name} grad"),
        weigh(|| grad_bp_data(loss, &net, &sample)),
        weigh(|| grad_hand(&net, x, t)),
    );
    compare(
        &format!("{name} grad_batch"),
        weigh(|| grad_bp_data(loss_batch, &net, &batch)),
        weigh(|| grad_batch_hand(&net, xb, tb)),
    );
    compare(
        &format!("{name} run"),
        weigh(|| eval_bp_data(loss, &net, &sample)),
        weigh(|| run_hand(&net, x, t)),
    );

    // A reduction reads its input where it is: summing W₁ (1.9 MB) allocates only the tape.
    let sum = weigh(|| eval_bp(sum_elements, &net.w1)).bytes_allocated;
    println!("{name} sum_elements of W₁: {sum} B");
    assert!(
        sum < 64 * 1024,
        "{name}: sum_elements allocated {sum} B: it copied its input"
    );
}

/// The one test: every backend of the list, one after the other.
macro_rules! weigh_every_backend {
    ([] $($name:ident: $backend:ty),* $(,)?) => {
        #[test]
        fn autodiff_allocates_what_the_hand_written_passes_do() {
            $(weigh_backend::<$backend>();)*
        }
    };
}
backprop_tests::for_each_backend!(weigh_every_backend);
