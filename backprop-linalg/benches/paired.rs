//! The autodiff / hand-written ratios of the MLP benchmark (`benches/mlp.rs`), measured paired.
//!
//! The hand-written side of `grad`, `grad_batch`, `run` and `descent` is the network written
//! directly against the backend's library (`network/native.rs`: the library's own types,
//! buffers allocated once, products into their destination, fused element-wise loops), with
//! nothing of this project in it; the ndarray backend, whose products are faer's kernels, is
//! held to the faer passes.
//!
//! Criterion times one pass for seconds, then the other. This machine is shared, and a change of
//! load between the two moves their ratio by several per cent from one run to the next. Here the
//! two passes of a measurement run in alternating blocks of a few milliseconds each (autodiff
//! then hand-written, then the other way round), and each round gives one ratio of block times:
//! load that drifts over seconds falls on both sides of every ratio alike. The median ratio over
//! the rounds and its quartiles are printed, and written to
//! `target/paired/<backend>-<measurement>.json` for `scripts/bench_table.py`.
//!
//! What pairing cannot remove is what a process is dealt: where its buffers lie in physical
//! memory and so in the shared caches, and what ran before (one gradient pass before the
//! measurement moves `ndarray/run` by a per cent). The same binary gives `ndarray/run` anywhere
//! from 1.00 to 1.05 from one process to the next. So each measurement runs in several fresh
//! processes (`--processes`, default 5), and the result is the median of their medians, with
//! the lowest and highest.
//!
//! ```text
//! cargo bench -p backprop-linalg --all-features --bench paired -- [FILTER] [--seconds S] [--processes P]
//! ```
//!
//! `FILTER` keeps the measurements whose name (`faer/run`, `ndarray/grad_batch`, ...) contains
//! it; `S` is the time given to each measurement in each process (default 3 seconds).
//!
//! The `dyn_grad`, `dyn_grad_batch` and `dyn_run` measurements pair the same network with
//! run-time (`Dyn`) sizes against static sizes, both through autodiff: their ratio is the cost
//! of run-time sizes (printed in the `autodiff` and `hand` slots, in that order).
//!
//! Every measurement runs in single precision too (`faer-f32/grad`, ...: autodiff against the
//! native passes, both in `f32`), and `f32_grad`, `f32_grad_batch`, `f32_run` pair the
//! autodiff passes in `f32` against the same in `f64` (`faer/f32_grad_batch`: what single
//! precision saves).

use std::env;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio, exit};
use std::time::Instant;

use std::hint::black_box;

use backprop_linalg::backends::{Faer, Nalgebra, Ndarray};
use backprop_linalg::{Backend, RealScalar, eval_bp_data, grad_bp_data};

#[path = "network/native.rs"]
mod native;
// The passes on the backends' primitives are for `mlp.rs` and the allocation test.
#[allow(dead_code)]
mod network;
mod support;

use native::{FaerPasses, NalgebraPasses, Passes};
use network::{Measurement, Setup, loss, loss_batch};

/// Rounds measured at least, however long they take.
const MIN_ROUNDS: usize = 20;
/// A block runs a pass at least this long, in seconds (timer resolution and the cost of
/// switching sides are then negligible).
const MIN_BLOCK: f64 = 2e-3;
/// Both passes run this long, in seconds, before anything is timed (spare values, heap, caches).
const WARM_UP: f64 = 0.3;

/// Set in the processes this bench starts to measure: they measure and report, not start more.
const CHILD: &str = "BACKPROP_PAIRED_CHILD";
/// What a measuring process prints before each result line on its standard output.
const RESULT: &str = "paired-result";

struct Options {
    filter: Option<String>,
    seconds: f64,
    processes: usize,
}

fn usage(problem: &str) -> ! {
    eprintln!("paired: {problem}\nusage: paired [FILTER] [--seconds S] [--processes P]");
    exit(2)
}

fn options() -> Options {
    let mut options = Options {
        filter: None,
        seconds: 3.0,
        processes: 5,
    };
    let mut args = env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // Passed by `cargo bench` to every benchmark binary.
            "--bench" => {}
            "--seconds" => {
                options.seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|s: &f64| *s > 0.0)
                    .unwrap_or_else(|| usage("--seconds takes a positive number"));
            }
            "--processes" => {
                options.processes = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|&p: &usize| p > 0)
                    .unwrap_or_else(|| usage("--processes takes a positive whole number"));
            }
            _ if arg.starts_with('-') => usage(&format!("unknown option {arg}")),
            _ => options.filter = Some(arg),
        }
    }
    options
}

/// Seconds taken by `k` calls of `pass`.
fn time(k: u32, pass: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..k {
        pass();
    }
    start.elapsed().as_secs_f64()
}

/// What one paired measurement found.
struct Summary {
    rounds: usize,
    /// Passes per block.
    block: u32,
    /// Autodiff / hand-written: the median ratio of the rounds and its quartiles.
    median: f64,
    q1: f64,
    q3: f64,
    /// Median time of one pass, in nanoseconds.
    autodiff_ns: f64,
    hand_ns: f64,
}

impl Summary {
    /// The line a measuring process reports `name`'s summary with.
    fn to_line(&self, name: &str) -> String {
        let s = self;
        format!(
            "{RESULT} {name} {} {} {} {} {} {} {}",
            s.rounds, s.block, s.median, s.q1, s.q3, s.autodiff_ns, s.hand_ns
        )
    }

    /// The name and summary of a line made by [`to_line`](Summary::to_line).
    fn from_line(line: &str) -> Option<(String, Summary)> {
        let mut words = line.strip_prefix(RESULT)?.split_whitespace();
        let name = words.next()?.to_string();
        let mut number = || words.next()?.parse::<f64>().ok();
        let (rounds, block) = (number()? as usize, number()? as u32);
        let summary = Summary {
            rounds,
            block,
            median: number()?,
            q1: number()?,
            q3: number()?,
            autodiff_ns: number()?,
            hand_ns: number()?,
        };
        Some((name, summary))
    }
}

/// The value at fraction `p` of the sorted `values` (nearest rank).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn median_of(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (
        quantile(&values, 0.25),
        quantile(&values, 0.5),
        quantile(&values, 0.75),
    )
}

/// Runs the two passes of `m` in alternating blocks for `seconds` (and at least
/// [`MIN_ROUNDS`] rounds).
fn paired(m: &mut Measurement<'_>, seconds: f64) -> Summary {
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < WARM_UP {
        (m.autodiff)();
        (m.hand)();
    }
    let mut block = 1;
    while time(block, &mut m.hand) < MIN_BLOCK {
        block *= 2;
    }
    let (mut ratios, mut autodiff, mut hand) = (Vec::new(), Vec::new(), Vec::new());
    let start = Instant::now();
    while ratios.len() < MIN_ROUNDS || start.elapsed().as_secs_f64() < seconds {
        // Alternate which side goes first, so that neither always follows the other.
        let (ta, th) = if ratios.len() % 2 == 0 {
            let ta = time(block, &mut m.autodiff);
            (ta, time(block, &mut m.hand))
        } else {
            let th = time(block, &mut m.hand);
            (time(block, &mut m.autodiff), th)
        };
        ratios.push(ta / th);
        autodiff.push(ta / f64::from(block) * 1e9);
        hand.push(th / f64::from(block) * 1e9);
    }
    let rounds = ratios.len();
    let (q1, median, q3) = median_of(ratios);
    Summary {
        rounds,
        block,
        median,
        q1,
        q3,
        autodiff_ns: median_of(autodiff).1,
        hand_ns: median_of(hand).1,
    }
}

/// `target/paired` of this workspace (or of `CARGO_TARGET_DIR`).
fn output_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("paired")
}

/// Writes the result of `group/measurement` over `processes` (one summary each) to
/// `target/paired/<group>-<measurement>.json`: the median of the process medians and their
/// range, the median quartiles of the rounds and the median times. Returns the median of the
/// process medians.
fn write(group: &str, measurement: &str, processes: &[Summary]) -> f64 {
    let median = |f: fn(&Summary) -> f64| median_of(processes.iter().map(f).collect()).1;
    let medians: Vec<f64> = processes.iter().map(|s| s.median).collect();
    let (low, high) = medians
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &m| {
            (l.min(m), h.max(m))
        });
    let ratio = median(|s| s.median);
    let json = format!(
        "{{\"group\": \"{group}\", \"measurement\": \"{measurement}\", \"median\": {}, \
         \"q1\": {}, \"q3\": {}, \"rounds\": {}, \"autodiff_ns\": {}, \"hand_ns\": {}, \
         \"processes\": {}, \"low\": {low}, \"high\": {high}, \"medians\": {medians:?}}}\n",
        ratio,
        median(|s| s.q1),
        median(|s| s.q3),
        processes.iter().map(|s| s.rounds).sum::<usize>(),
        median(|s| s.autodiff_ns),
        median(|s| s.hand_ns),
        processes.len(),
    );
    let dir = output_dir();
    let path = dir.join(format!("{group}-{measurement}.json"));
    if let Err(e) = fs::create_dir_all(&dir).and_then(|()| fs::write(&path, json)) {
        eprintln!("paired: could not write {}: {e}", path.display());
    }
    ratio
}

/// Measures this backend's measurements that pass the filter, in this process, and reports
/// each on standard output (the progress goes to standard error).
///
/// `grad`, `grad_batch`, `run` and `descent` pair autodiff with the passes `P` written directly
/// against a library (`native.rs`); the `dyn_*` measurements pair run-time with static sizes.
fn bench_backend<B: Backend, P: Passes<B> + 'static>(options: &Options) {
    let setup = Setup::<B>::new();
    let dynamic = setup.to_dyn();
    let all = native_measurements::<B, P>(&setup)
        .into_iter()
        .chain(setup.dynamic_measurements(&dynamic));
    bench_group(options, &group::<B>(), all, || {
        setup.check_gradients();
        check_native::<B, P>(&setup);
    });
}

/// Autodiff against the passes `P` written directly against a library, on the same numbers.
fn native_measurements<B: Backend, P: Passes<B> + 'static>(
    setup: &Setup<B>,
) -> Vec<Measurement<'_>> {
    let (net, sample, batch) = (&setup.net, &setup.sample, &setup.batch);
    let native = || P::new(net, sample, batch);
    let (mut grad, mut grad_batch, mut run, mut descent) = (native(), native(), native(), native());
    let mut n1 = net.clone();
    vec![
        Measurement {
            name: "grad",
            autodiff: Box::new(move || {
                black_box(grad_bp_data(loss, black_box(net), sample));
            }),
            hand: Box::new(move || black_box(&mut grad).grad()),
        },
        Measurement {
            name: "grad_batch",
            autodiff: Box::new(move || {
                black_box(grad_bp_data(loss_batch, black_box(net), batch));
            }),
            hand: Box::new(move || black_box(&mut grad_batch).grad_batch()),
        },
        Measurement {
            name: "run",
            autodiff: Box::new(move || {
                black_box(eval_bp_data(loss, black_box(net), sample));
            }),
            hand: Box::new(move || {
                black_box(black_box(&mut run).run());
            }),
        },
        Measurement {
            name: "descent",
            autodiff: Box::new(move || {
                let grad = grad_bp_data(loss, &n1, sample);
                n1.descend(&grad, 0.01);
            }),
            hand: Box::new(move || descent.descent(0.01)),
        },
    ]
}

/// Panics unless the passes `P` give autodiff's loss and gradients (up to rounding).
fn check_native<B: Backend, P: Passes<B>>(setup: &Setup<B>) {
    let (net, sample, batch) = (&setup.net, &setup.sample, &setup.batch);
    let mut native = P::new(net, sample, batch);
    let single = std::mem::size_of::<B::Real>() == 4;
    let (tol, tol_batch) = if single { (1e-4, 1e-3) } else { (1e-10, 1e-9) };
    let w1 = |g: &network::Net<B>| -> Vec<f64> {
        g.w1.to_row_major()
            .iter()
            .map(|v| v.to_f64_real())
            .collect()
    };
    let worst = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
    };
    let loss_diff =
        (native.run().to_f64_real() - eval_bp_data(loss, net, sample).to_f64_real()).abs();
    assert!(
        loss_diff < tol,
        "{}: native and autodiff losses differ by {loss_diff}",
        B::NAME
    );
    native.grad();
    let diff = worst(&native.w1_gradient(), &w1(&grad_bp_data(loss, net, sample)));
    assert!(
        diff < tol,
        "{}: native and autodiff gradients differ by {diff}",
        B::NAME
    );
    native.grad_batch();
    let diff = worst(
        &native.w1_gradient(),
        &w1(&grad_bp_data(loss_batch, net, batch)),
    );
    assert!(
        diff < tol_batch,
        "{}: native and autodiff batch gradients differ by {diff}",
        B::NAME
    );
}

/// The group of a backend's measurements: its name, with `-f32` in single precision.
fn group<B: Backend>() -> String {
    let single = std::mem::size_of::<B::Real>() == 4;
    format!("{}{}", B::NAME, if single { "-f32" } else { "" })
}

/// `f32_grad`, `f32_grad_batch`, `f32_run`: the autodiff passes in single precision (`B32`, in
/// the `autodiff` slot) against the same in double precision (`B64`, in the `hand` slot), on the
/// same numbers rounded: what single precision saves.
fn bench_precision<B64: Backend, B32: Backend>(options: &Options) {
    let (s64, s32) = (Setup::<B64>::new(), Setup::<B32>::new());
    let (net64, sample64, batch64) = (&s64.net, &s64.sample, &s64.batch);
    let (net32, sample32, batch32) = (&s32.net, &s32.sample, &s32.batch);
    let all = vec![
        Measurement {
            name: "f32_grad",
            autodiff: Box::new(move || {
                black_box(grad_bp_data(loss, black_box(net32), sample32));
            }),
            hand: Box::new(move || {
                black_box(grad_bp_data(loss, black_box(net64), sample64));
            }),
        },
        Measurement {
            name: "f32_grad_batch",
            autodiff: Box::new(move || {
                black_box(grad_bp_data(loss_batch, black_box(net32), batch32));
            }),
            hand: Box::new(move || {
                black_box(grad_bp_data(loss_batch, black_box(net64), batch64));
            }),
        },
        Measurement {
            name: "f32_run",
            autodiff: Box::new(move || {
                black_box(eval_bp_data(loss, black_box(net32), sample32));
            }),
            hand: Box::new(move || {
                black_box(eval_bp_data(loss, black_box(net64), sample64));
            }),
        },
    ];
    bench_group(options, B64::NAME, all, || {});
}

/// Measures the measurements of `group` that pass the filter (after `check`, once, if any
/// does), and reports each on standard output (the progress goes to standard error).
fn bench_group<'a>(
    options: &Options,
    group: &str,
    all: impl IntoIterator<Item = Measurement<'a>>,
    check: impl FnOnce(),
) {
    let mut check = Some(check);
    for mut m in all {
        let name = format!("{group}/{}", m.name);
        if options.filter.as_ref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        if let Some(check) = check.take() {
            check();
        }
        let s = paired(&mut m, options.seconds);
        eprintln!(
            "{name:<20} autodiff {:>10.0} ns  hand {:>10.0} ns  ratio {:.4}  [{:.4}, {:.4}]  \
             ({} rounds of {})",
            s.autodiff_ns, s.hand_ns, s.median, s.q1, s.q3, s.rounds, s.block
        );
        println!("{}", s.to_line(&name));
    }
}

/// Runs the measurements in `options.processes` fresh processes, one after the other, and
/// prints and writes the median over the processes of each.
fn measure_in_processes(options: &Options) {
    let exe = env::current_exe().expect("the benchmark knows its own path");
    let mut results: Vec<(String, Vec<Summary>)> = Vec::new();
    for process in 1..=options.processes {
        eprintln!("paired: process {process} of {}", options.processes);
        let output = Command::new(&exe)
            .args(env::args_os().skip(1))
            .env(CHILD, "1")
            .stderr(Stdio::inherit())
            .output()
            .expect("the benchmark can run itself");
        if !output.status.success() {
            eprintln!("paired: a measuring process failed ({})", output.status);
            exit(1);
        }
        for (name, summary) in String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(Summary::from_line)
        {
            match results.iter_mut().find(|(n, _)| *n == name) {
                Some((_, summaries)) => summaries.push(summary),
                None => results.push((name, vec![summary])),
            }
        }
    }
    for (name, summaries) in &results {
        let (group, measurement) = name.split_once('/').expect("names are group/measurement");
        let ratio = write(group, measurement, summaries);
        let shown: Vec<String> = summaries
            .iter()
            .map(|s| format!("{:.4}", s.median))
            .collect();
        println!(
            "{name:<20} ratio {ratio:.4}  (median of {} processes: {})",
            summaries.len(),
            shown.join(" ")
        );
    }
}

fn main() {
    support::steady_heap();
    let options = options();
    if env::var_os(CHILD).is_none() {
        measure_in_processes(&options);
        return;
    }
    // ndarray's products are faer's kernels on views of its arrays: its baseline is faer's.
    bench_backend::<Faer, FaerPasses<f64>>(&options);
    bench_backend::<Nalgebra, NalgebraPasses<f64>>(&options);
    bench_backend::<Ndarray, FaerPasses<f64>>(&options);
    bench_backend::<Faer<f32>, FaerPasses<f32>>(&options);
    bench_backend::<Nalgebra<f32>, NalgebraPasses<f32>>(&options);
    bench_backend::<Ndarray<f32>, FaerPasses<f32>>(&options);
    bench_precision::<Faer, Faer<f32>>(&options);
    bench_precision::<Nalgebra, Nalgebra<f32>>(&options);
    bench_precision::<Ndarray, Ndarray<f32>>(&options);
}
