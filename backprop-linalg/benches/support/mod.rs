//! What every benchmark of this crate shares.

use std::env;
use std::process::{Command, exit};

/// glibc's allocator settings that make the heap steady between iterations.
const STEADY_HEAP: [(&str, &str); 2] = [
    // Keep freed memory instead of returning it to the kernel at every free.
    ("MALLOC_TRIM_THRESHOLD_", "1073741824"),
    // Serve large blocks from the heap instead of fresh `mmap`s (32 MiB, glibc's maximum).
    ("MALLOC_MMAP_THRESHOLD_", "33554432"),
];

/// Re-runs this benchmark with a steady glibc heap, unless it already has one.
///
/// By default glibc returns the top of its heap to the kernel once it exceeds a trim threshold
/// that adapts to the allocation history, and serves large blocks (a 300 × 784 gradient is
/// 1.9 MB) by `mmap`. Whether each iteration then faults every page of its gradients in again
/// depends on what ran before, not on the code measured: the same hand-written gradient took
/// 77 µs or 900 µs. Fixed thresholds make both sides of every ratio run on a warm heap. The
/// variables are ignored by other allocators, and a caller who sets either one keeps it; set
/// `BENCH_GLIBC_DEFAULTS=1` to measure under glibc's own settings instead.
pub fn steady_heap() {
    let keep = |name| env::var_os(name).is_some();
    if keep("BENCH_GLIBC_DEFAULTS") || STEADY_HEAP.iter().any(|(name, _)| keep(name)) {
        return;
    }
    let exe = env::current_exe().expect("the benchmark knows its own path");
    let status = Command::new(exe)
        .args(env::args_os().skip(1))
        .envs(STEADY_HEAP)
        .status()
        .expect("the benchmark can re-run itself");
    exit(status.code().unwrap_or(1));
}
