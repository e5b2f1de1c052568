//! The harness of the gradient suite: generic property runners over any backend, strategies for
//! the linalg types, and the gradient assertion (the core checker, relative tolerance 1e-6).
//!
//! A case is a generic function `fn name<B: Backend>()` that calls [`run`] with a strategy and a
//! property, written once inside a family's [`cases!`](crate::cases) block; the gradient suite
//! instantiates every case once per backend (`faer::products::mul_3x2_2x3`), so a new backend
//! gets every case by one line in [`for_each_backend!`](crate::for_each_backend).

use backprop_core::check::{CheckConfig, check_gradient_with};
use backprop_core::{BVar, Backprop, Coords};
use backprop_linalg::StaticDim;
use backprop_linalg::{Backend, ComplexBackend, Dim, L, R, RealScalar, Sym};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// The relative tolerance of every gradient check with well-conditioned inputs.
pub const TOL: f64 = 1e-6;

/// `x` in `B`'s precision (rounded to nearest in `f32`): the strategies draw in `f64` and
/// store in the backend's precision.
pub fn real<B: Backend>(x: f64) -> B::Real {
    backprop_linalg::RealScalar::from_f64_real(x)
}

/// A complex `f64` in `B`'s precision.
pub fn cx<B: Backend>(z: num_complex::Complex64) -> backprop_linalg::ComplexOf<B> {
    num_complex::Complex::new(real::<B>(z.re), real::<B>(z.im))
}

/// A vector from `f64` entries.
pub fn rv<N: Dim, B: Backend>(v: &[f64]) -> R<N, B> {
    R::from_fn_len(v.len(), |i| real::<B>(v[i]))
}

/// A `rows×cols` matrix from `f64` entries, row-major.
pub fn lm<M: Dim, N: Dim, B: Backend>(rows: usize, cols: usize, v: &[f64]) -> L<M, N, B> {
    L::from_fn_shape(rows, cols, |i, j| real::<B>(v[i * cols + j]))
}

/// Runs `property` on inputs drawn from `strategy` with proptest's default number of cases;
/// a failure shrinks and panics with the minimal input.
#[track_caller]
pub fn run<S>(strategy: S, property: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if let Some(seed) = double::seed() {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(seed);
    }
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&strategy, property) {
        panic!("{e}");
    }
}

/// Checks the gradient of `f` at `x` with the core checker: random cotangents and directions,
/// and the full Jacobian for small inputs.
pub fn grad_ok<A, O, F>(f: F, x: &A) -> Result<(), TestCaseError>
where
    A: Backprop + Coords,
    O: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
{
    grad_within(TOL, f, x)
}

/// Checks [`hvp`](backprop_core::hvp) of the scalar function `f` at `x` with the core checker
/// ([`check_hvp_with`](backprop_core::check::check_hvp_with)): against central differences of
/// the gradient along random directions, and the full Hessian and its symmetry for small
/// inputs, with the settings and tolerance of the values' precision.
pub fn hvp_ok<A, O, F>(f: F, x: &A) -> Result<(), TestCaseError>
where
    A: Backprop + Coords,
    O: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
{
    if double::replaying() {
        // The double-precision twin of an `in_f32` case compares gradients only; the same
        // check in `f64` is the `f64` suite's own case.
        return Ok(());
    }
    let (config, tol) = settings::<A, O>();
    let report = backprop_core::check::check_hvp_with(&config, f, x);
    prop_assert!(report.passes(tol), "hvp: {}", report);
    Ok(())
}

/// The checker's settings and the tolerance ([`TOL`]) for values of types `A` and `O`, in their
/// precision.
fn settings<A: Coords, O: Coords>() -> (CheckConfig, f64) {
    let config = CheckConfig::for_types::<A, O>();
    (config, CheckConfig::tolerance_for_types::<A, O>(TOL))
}

/// Checks [`jvp`](backprop_core::jvp) of `f` at `x` with the core checker
/// ([`check_jvp_with`](backprop_core::check::check_jvp_with)): against central differences
/// and, by transposition, against the backward pass, along random directions; column by column
/// for small inputs and outputs.
pub fn jvp_ok<A, O, F>(f: F, x: &A) -> Result<(), TestCaseError>
where
    A: Backprop + Coords,
    O: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
{
    if double::replaying() {
        // As in `hvp_ok`: the `f64` suite checks this in double precision.
        return Ok(());
    }
    let (config, tol) = settings::<A, O>();
    let report = backprop_core::check::check_jvp_with(&config, f, x);
    prop_assert!(report.passes(tol), "jvp: {}", report);
    Ok(())
}

/// The relative tolerance of two results that only rounding separates (the same quantity
/// along two exact routes), for values of types `A` and `O`: `4500·ε` of the coarser
/// precision, 1e-12 in `f64` and 5.4e-4 in `f32`.
pub fn rounding_tolerance<A: Coords, O: Coords>() -> f64 {
    4.5e3 * A::coord_epsilon().max(O::coord_epsilon())
}

/// Checks that `f` and `g` give the same value and the same gradient at `x`, up to rounding
/// (relative `4500·ε`: 1e-12 in `f64`, 5.4e-4 in `f32`): a fused op against its spelling in
/// simpler ops. The output cotangent is all ones.
pub fn same_as<A, O, F, G>(f: F, g: G, x: &A) -> Result<(), TestCaseError>
where
    A: Backprop + Coords,
    O: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
    G: for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
{
    let coords = |v: &dyn Fn(&mut Vec<f64>)| {
        let mut out = Vec::new();
        v(&mut out);
        out
    };
    let tol = rounding_tolerance::<A, O>();
    let (yf, gf) = backprop_core::backprop(f, x);
    let (yg, gg) = backprop_core::backprop(g, x);
    for (what, a, b) in [
        (
            "value",
            coords(&|o| yf.write_coords(o)),
            coords(&|o| yg.write_coords(o)),
        ),
        (
            "gradient",
            coords(&|o| gf.write_coords(o)),
            coords(&|o| gg.write_coords(o)),
        ),
    ] {
        let worst = a
            .iter()
            .zip(&b)
            .map(|(p, q)| (p - q).abs() / q.abs().max(1.0))
            .fold(0.0, f64::max);
        prop_assert!(
            a.len() == b.len() && worst <= tol,
            "{what}s differ by {worst:e}: {a:?} vs {b:?}"
        );
    }
    Ok(())
}

/// [`grad_ok`] with another tolerance: loosen it only with a written reason at the call. In
/// single precision the checker's settings and the tolerance's floor come from `f32`'s epsilon
/// ([`CheckConfig::for_types`], [`CheckConfig::tolerance_for_types`]).
pub fn grad_within<A, O, F>(tol: f64, f: F, x: &A) -> Result<(), TestCaseError>
where
    A: Backprop + Coords,
    O: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
{
    if double::replaying() {
        return double::compare(f, x);
    }
    double::record(&f, x);
    let config = CheckConfig {
        max_jacobian_inputs: 25,
        max_jacobian_outputs: 25,
        ..CheckConfig::for_types::<A, O>()
    };
    let report = check_gradient_with(&config, f, x);
    let tol = CheckConfig::tolerance_for_types::<A, O>(tol);
    prop_assert!(report.passes(tol), "{}", report);
    Ok(())
}

/// Every single-precision gradient against double precision (the `in_f32::` tests).
///
/// `with_double(case32, case64)` runs a case on a single-precision backend and records, at each
/// [`grad_ok`]/[`grad_within`], the input's coordinates and the value and gradient (all-ones
/// cotangent); then it runs the same case on the double-precision twin of that backend with the
/// same proptest seed, so that [`run`] draws the same inputs (strategies draw in `f64` and round
/// to the backend's precision). There each `grad_ok` takes the recorded `f32` input, widened
/// exactly, computes value and gradient in `f64`, and requires
/// `|f32 − f64|∞ ≤ AGREE·max(1, |f64|∞)`, instead of checking against central differences
/// (the `f64` suite does that).
///
/// [`AGREE`](double::AGREE) = `1e-3` (about 8400·ε of `f32`): a backward-stable computation in
/// `f32` is off by about `c·n·κ·ε`, and the suite's inputs are drawn with condition numbers
/// `κ ≤ 10` at sizes `n ≤ 5`, leaving `c` room for the several steps (factorization, solves,
/// products) of a gradient.
pub mod double {
    use std::cell::RefCell;
    use std::collections::VecDeque;

    use backprop_core::{BVar, Backprop, Coords};

    /// The relative agreement required of an `f32` value or gradient with the `f64` one.
    pub const AGREE: f64 = 1e-3;

    /// What one `grad_ok` saw in single precision.
    struct Seen {
        x: Vec<f64>,
        y: Vec<f64>,
        g: Vec<f64>,
    }

    enum Mode {
        Off,
        Record(Vec<Seen>),
        Replay(VecDeque<Seen>, Vec<String>),
    }

    thread_local! {
        static MODE: RefCell<Mode> = const { RefCell::new(Mode::Off) };
        static SEED: RefCell<Option<u64>> = const { RefCell::new(None) };
    }

    /// The proptest seed both runs of a case share, while one is in progress.
    pub(crate) fn seed() -> Option<u64> {
        SEED.with(|s| *s.borrow())
    }

    /// Whether `grad_ok` compares with the recorded single-precision results.
    pub(crate) fn replaying() -> bool {
        MODE.with(|m| matches!(*m.borrow(), Mode::Replay(..)))
    }

    /// Records `f`'s value and gradient at `x` when a single-precision run is recording.
    pub(crate) fn record<A, O, F>(f: &F, x: &A)
    where
        A: Backprop + Coords,
        O: Backprop + Coords,
        F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
    {
        if !MODE.with(|m| matches!(*m.borrow(), Mode::Record(_))) {
            return;
        }
        let (y, g) = backprop_core::backprop(f, x);
        let seen = Seen {
            x: x.to_coords(),
            y: y.to_coords(),
            g: g.to_coords(),
        };
        MODE.with(|m| {
            if let Mode::Record(list) = &mut *m.borrow_mut() {
                list.push(seen);
            }
        });
    }

    /// `|a − b|∞ ≤ AGREE·max(1, |b|∞)` for the coordinates of an `f32` result (`a`) and the
    /// `f64` result of the same input (`b`), or a message.
    pub fn agree(what: &str, a: &[f64], b: &[f64]) -> Result<(), String> {
        if a.len() != b.len() {
            return Err(format!(
                "{what}: {} coordinates in f32, {} in f64",
                a.len(),
                b.len()
            ));
        }
        let scale = b.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let err = a
            .iter()
            .zip(b)
            .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
        if err <= AGREE * scale {
            Ok(())
        } else {
            Err(format!(
                "{what}: f32 and f64 differ by {err:e} (scale {scale:e}): {a:?} vs {b:?}"
            ))
        }
    }

    /// In the double-precision run: `f` at the next recorded input, compared with its record.
    pub(crate) fn compare<A, O, F>(f: F, x: &A) -> Result<(), proptest::test_runner::TestCaseError>
    where
        A: Backprop + Coords,
        O: Backprop + Coords,
        F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
    {
        let seen = MODE.with(|m| match &mut *m.borrow_mut() {
            Mode::Replay(queue, _) => queue.pop_front(),
            _ => None,
        });
        let outcome = match seen {
            None => Err("the f64 run reached a gradient check the f32 run did not".to_owned()),
            Some(seen) => {
                let here = x.to_coords();
                // The same draw: the f32 input is the f64 one rounded (or computed from the
                // same numbers in f32), far closer than two different draws would be.
                let same_draw = here.len() == seen.x.len()
                    && here
                        .iter()
                        .zip(&seen.x)
                        .all(|(a, b)| (a - b).abs() <= 1e-4 * a.abs().max(1.0));
                if same_draw {
                    let (y, g) = backprop_core::backprop(f, &x.with_coords(&seen.x));
                    agree("value", &seen.y, &y.to_coords())
                        .and_then(|()| agree("gradient", &seen.g, &g.to_coords()))
                        .map_err(|e| format!("{e}\n  at the input {:?}", seen.x))
                } else {
                    Err(format!(
                        "the f32 and f64 runs drew different inputs: {:?} vs {here:?}",
                        seen.x
                    ))
                }
            }
        };
        if let Err(message) = outcome {
            MODE.with(|m| {
                if let Mode::Replay(_, failures) = &mut *m.borrow_mut() {
                    failures.push(message);
                }
            });
        }
        // Never a proptest failure here: shrinking would replay records out of order. The
        // failures are reported when the case ends.
        Ok(())
    }

    /// Runs `case32` (single precision) and then `case64` (its double-precision twin) with
    /// one proptest seed, comparing every gradient check's value and gradient (see the module
    /// documentation). Panics with the first disagreement.
    pub fn with_double(case32: impl FnOnce(), case64: impl FnOnce()) {
        use std::hash::{BuildHasher, Hasher};
        let seed = std::env::var("PROPTEST_RNG_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::collections::hash_map::RandomState::new()
                    .build_hasher()
                    .finish()
            });
        SEED.with(|s| *s.borrow_mut() = Some(seed));
        MODE.with(|m| *m.borrow_mut() = Mode::Record(Vec::new()));
        case32();
        let recorded = MODE.with(
            |m| match std::mem::replace(&mut *m.borrow_mut(), Mode::Off) {
                Mode::Record(list) => list,
                _ => Vec::new(),
            },
        );
        let count = recorded.len();
        MODE.with(|m| *m.borrow_mut() = Mode::Replay(recorded.into(), Vec::new()));
        case64();
        let (left, failures) =
            MODE.with(
                |m| match std::mem::replace(&mut *m.borrow_mut(), Mode::Off) {
                    Mode::Replay(queue, failures) => (queue.len(), failures),
                    _ => (0, Vec::new()),
                },
            );
        SEED.with(|s| *s.borrow_mut() = None);
        if let Some(first) = failures.first() {
            panic!(
                "{} of {count} gradient checks disagree between f32 and f64 (seed {seed}); the first: {first}",
                failures.len()
            );
        }
        assert_eq!(
            left, 0,
            "the f64 run skipped {left} of the f32 run's {count} gradient checks"
        );
    }
}

/// Entries in `[-2, 2]`.
pub fn entries(n: usize) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(-2.0f64..2.0, n)
}

/// A vector with entries in `[-2, 2]`.
pub fn vector<N: StaticDim, B: Backend>() -> impl Strategy<Value = R<N, B>> {
    entries(N::SIZE).prop_map(|v| rv(&v))
}

/// A vector whose entries are at least 0.1 away from zero, and from each other in absolute
/// value, so sign- and max-based functions are smooth around it.
pub fn separated_vector<N: StaticDim, B: Backend>() -> impl Strategy<Value = R<N, B>> {
    (
        Just((0..N::SIZE).collect::<Vec<usize>>()).prop_shuffle(),
        proptest::collection::vec(any::<bool>(), N::SIZE),
        0.0f64..0.05,
    )
        .prop_map(|(order, signs, jitter)| {
            R::from_fn(|i| {
                let m = 0.3 + 0.25 * order[i] as f64 + jitter;
                real::<B>(if signs[i] { m } else { -m })
            })
        })
}

/// A matrix with entries in `[-2, 2]`.
pub fn matrix<M: StaticDim, N: StaticDim, B: Backend>() -> impl Strategy<Value = L<M, N, B>> {
    entries(M::SIZE * N::SIZE).prop_map(|v| lm(M::SIZE, N::SIZE, &v))
}

/// A symmetric matrix with entries in `[-2, 2]`.
pub fn symmetric<N: StaticDim, B: Backend>() -> impl Strategy<Value = Sym<N, B>> {
    entries(N::SIZE * N::SIZE).prop_map(|v| Sym::from_sq(&lm(N::SIZE, N::SIZE, &v)))
}

// ----- factorizations, determinants, norms, statistics -----

/// A `Dense` as a statically sized matrix.
fn to_l<M: StaticDim, N: StaticDim, B: Backend>(d: &crate::Dense) -> L<M, N, B> {
    lm(d.rows, d.cols, &d.data)
}

/// A symmetric positive definite matrix `Q·diag(λ)·Qᵀ` with `λ ∈ [0.5, 4]` and `Q` orthogonal
/// (condition number at most 8).
pub fn spd<N: StaticDim, B: Backend>() -> impl Strategy<Value = Sym<N, B>> {
    let n = N::SIZE;
    (
        proptest::collection::vec(0.5f64..4.0, n),
        crate::generators::orthogonal(n),
    )
        .prop_map(move |(lambda, q)| {
            let a = q.matmul(&crate::Dense::diag(n, n, &lambda)).matmul(&q.t());
            Sym::from_sq(&to_l(&a))
        })
}

/// A symmetric positive definite matrix `Q·diag(λ)·Qᵀ` with eigenvalues in `[0.5, 4.5]` at least
/// 0.5 apart, `Q` orthogonal. In single precision the second-order checks of the spectral
/// functions draw these: near-equal eigenvalues put the first-order rule's switch between a
/// divided difference and a mean derivative (both right to about `ε^{2/3}`, 2.5e-5 in `f32`)
/// inside the checker's stencil, whose differences of gradients then measure the switch.
pub fn spd_separated<N: StaticDim, B: Backend>() -> impl Strategy<Value = Sym<N, B>> {
    let n = N::SIZE;
    (
        proptest::collection::vec(0.5f64..1.0, n),
        crate::generators::orthogonal(n),
    )
        .prop_map(move |(gaps, q)| {
            let lambda: Vec<f64> = gaps
                .iter()
                .scan(0.0, |sum, g| {
                    *sum += g;
                    Some(*sum)
                })
                .collect();
            let a = q.matmul(&crate::Dense::diag(n, n, &lambda)).matmul(&q.t());
            Sym::from_sq(&to_l(&a))
        })
}

/// A symmetric positive definite matrix `Q·diag(λ)·Qᵀ` whose eigenvalues come in repeated
/// pairs (`a, a, b` for `n = 3`, `a, a, b, b` for `n = 4`), `a, b ∈ [0.5, 4]`, `Q` orthogonal:
/// eigenvalues equal up to rounding, where eigenvectors have no derivative.
pub fn spd_repeated<N: StaticDim, B: Backend>() -> impl Strategy<Value = Sym<N, B>> {
    let n = N::SIZE;
    (
        proptest::collection::vec(0.5f64..4.0, n.div_ceil(2)),
        crate::generators::orthogonal(n),
    )
        .prop_map(move |(pool, q)| {
            let lambda: Vec<f64> = (0..n).map(|k| pool[k / 2]).collect();
            let a = q.matmul(&crate::Dense::diag(n, n, &lambda)).matmul(&q.t());
            Sym::from_sq(&to_l(&a))
        })
}

/// `P₀·L₀·U₀` with `L₀` unit lower-triangular (entries below the diagonal in `[−½, ½]`), `U₀`
/// upper-triangular (diagonal of either sign with magnitude in `[1, 2]`, above it `[−1, 1]`)
/// and `P₀` a random permutation: partial pivoting finds `P₀` again, each pivot at least twice
/// the other candidates, so small perturbations keep the pivots (and `lu` is smooth there).
pub fn lu_input<N: StaticDim, B: Backend>() -> impl Strategy<Value = L<N, N, B>> {
    let n = N::SIZE;
    (
        proptest::collection::vec(-0.5f64..0.5, n * n),
        proptest::collection::vec(-1.0f64..1.0, n * n),
        proptest::collection::vec((1.0f64..2.0, any::<bool>()), n),
        Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
    )
        .prop_map(move |(lower, upper, pivots, perm)| {
            let l = crate::Dense::from_fn(n, n, |i, j| match i.cmp(&j) {
                std::cmp::Ordering::Greater => lower[i * n + j],
                std::cmp::Ordering::Equal => 1.0,
                std::cmp::Ordering::Less => 0.0,
            });
            let u = crate::Dense::from_fn(n, n, |i, j| match i.cmp(&j) {
                std::cmp::Ordering::Less => upper[i * n + j],
                std::cmp::Ordering::Equal => pivots[i].0 * if pivots[i].1 { 1.0 } else { -1.0 },
                std::cmp::Ordering::Greater => 0.0,
            });
            let p = crate::Dense::from_fn(n, n, |i, j| f64::from(u8::from(perm[j] == i)));
            to_l(&p.matmul(&l).matmul(&u))
        })
}

/// A symmetric matrix whose eigenvalues are pairwise at least 0.5 apart (either sign), so
/// eigenvectors are smooth functions of it.
pub fn sym_separated<N: StaticDim, B: Backend>() -> impl Strategy<Value = Sym<N, B>> {
    crate::generators::symmetric_separated(N::SIZE).prop_map(|(a, _)| Sym::from_sq(&to_l(&a)))
}

/// An `M×N` matrix `U·Σ·Vᵀ` whose singular values are at least 0.5 and pairwise at least 0.5
/// apart, so singular vectors are smooth functions of it.
pub fn separated_singular<M: StaticDim, N: StaticDim, B: Backend>()
-> impl Strategy<Value = L<M, N, B>> {
    crate::generators::separated_singular(M::SIZE, N::SIZE).prop_map(|(a, _)| to_l(&a))
}

/// A wide `M×N` matrix (`M ≤ N`) whose leading `M×M` block has singular values in `[0.5, 2]`
/// (so that `qr_wide`'s `Q` is well determined), its other columns entries in `[-2, 2]`.
pub fn wide_leading_block<M: StaticDim, N: StaticDim, B: Backend>()
-> impl Strategy<Value = L<M, N, B>> {
    let (m, n) = (M::SIZE, N::SIZE);
    (separated_singular::<M, M, B>(), entries(m * (n - m))).prop_map(move |(x, y)| {
        L::from_fn_shape(m, n, |i, j| {
            if j < m {
                x.get(i, j)
            } else {
                real::<B>(y[i * (n - m) + j - m])
            }
        })
    })
}

/// `U·diag(σ)·Vᵀ` with `U`, `V` orthogonal, `σᵢ ∈ [0.5, 2]` and the first one negated half of
/// the time (both signs of the determinant occur). With `singular`, the last `σ` is 0.
fn from_singular_values<N: StaticDim, B: Backend>(
    singular: bool,
) -> impl Strategy<Value = L<N, N, B>> {
    let n = N::SIZE;
    (
        proptest::collection::vec(0.5f64..2.0, n),
        any::<bool>(),
        crate::generators::orthogonal(n),
        crate::generators::orthogonal(n),
    )
        .prop_map(move |(mut s, negative, u, v)| {
            if negative {
                s[0] = -s[0];
            }
            if singular {
                s[n - 1] = 0.0;
            }
            to_l(&u.matmul(&crate::Dense::diag(n, n, &s)).matmul(&v.t()))
        })
}

/// An invertible, well-conditioned matrix (singular values in `[0.5, 2]`), of either
/// determinant sign, generally neither symmetric nor definite.
pub fn invertible<N: StaticDim, B: Backend>() -> impl Strategy<Value = L<N, N, B>> {
    from_singular_values(false)
}

/// A matrix of rank `N − 1` (one zero singular value, the others in `[0.5, 2]`).
pub fn singular<N: StaticDim, B: Backend>() -> impl Strategy<Value = L<N, N, B>> {
    from_singular_values(true)
}

/// Whether the largest value exceeds every other by at least `gap`.
fn max_separated(values: &[f64], gap: f64) -> bool {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    values.iter().filter(|&&v| v > max - gap).count() == 1
}

/// A matrix whose entries are at least 0.1 away from zero and whose largest absolute column
/// sum and largest absolute row sum each exceed the runner-up by at least 0.1, so `‖A‖₁` and
/// `‖A‖∞` are smooth around it.
pub fn separated_matrix<M: StaticDim, N: StaticDim, B: Backend>()
-> impl Strategy<Value = L<M, N, B>> {
    let (m, n) = (M::SIZE, N::SIZE);
    (
        proptest::collection::vec(0.1f64..2.0, m * n),
        proptest::collection::vec(any::<bool>(), m * n),
    )
        .prop_map(|(mag, signs)| {
            let v: Vec<f64> = mag
                .iter()
                .zip(&signs)
                .map(|(x, s)| if *s { *x } else { -x })
                .collect();
            lm(M::SIZE, N::SIZE, &v)
        })
        .prop_filter(
            "a unique, separated largest row and column sum",
            move |a: &L<M, N, B>| {
                let cols: Vec<f64> = (0..n)
                    .map(|j| (0..m).map(|i| a.get(i, j).to_f64_real().abs()).sum())
                    .collect();
                let rows: Vec<f64> = (0..m)
                    .map(|i| (0..n).map(|j| a.get(i, j).to_f64_real().abs()).sum())
                    .collect();
                max_separated(&cols, 0.1) && max_separated(&rows, 0.1)
            },
        )
}

/// A vector with entries in `[-2, 2]`, about a third of them exactly zero.
pub fn vector_with_zeros<N: StaticDim, B: Backend>() -> impl Strategy<Value = R<N, B>> {
    (entries(N::SIZE), proptest::collection::vec(0u8..3, N::SIZE))
        .prop_map(|(v, keep)| R::from_fn(|i| real::<B>(if keep[i] == 0 { 0.0 } else { v[i] })))
}

// ----- complex -----

/// A complex vector with real and imaginary parts in `[-2, 2]`.
pub fn complex_vector<N: StaticDim, B: ComplexBackend>()
-> impl Strategy<Value = backprop_linalg::C<N, B>> {
    entries(2 * N::SIZE).prop_map(|v| {
        backprop_linalg::C::from_fn(|k| {
            cx::<B>(num_complex::Complex64::new(v[2 * k], v[2 * k + 1]))
        })
    })
}

/// A complex matrix with real and imaginary parts in `[-2, 2]`.
pub fn complex_matrix<Rows: StaticDim, Cols: StaticDim, B: ComplexBackend>()
-> impl Strategy<Value = backprop_linalg::M<Rows, Cols, B>> {
    entries(2 * Rows::SIZE * Cols::SIZE).prop_map(|v| {
        backprop_linalg::M::from_fn(|i, j| {
            let k = 2 * (i * Cols::SIZE + j);
            cx::<B>(num_complex::Complex64::new(v[k], v[k + 1]))
        })
    })
}

/// A complex vector whose entries have modulus in `[0.3, 2]` and any phase, so the modulus is
/// smooth around it.
pub fn nonzero_complex_vector<N: StaticDim, B: ComplexBackend>()
-> impl Strategy<Value = backprop_linalg::C<N, B>> {
    proptest::collection::vec((0.3f64..2.0, 0.0f64..std::f64::consts::TAU), N::SIZE).prop_map(
        |polar| {
            backprop_linalg::C::from_fn(|k| {
                cx::<B>(num_complex::Complex64::from_polar(polar[k].0, polar[k].1))
            })
        },
    )
}

// ----- structure: vectors, matrices, conversions, maps -----

/// A scalar in `[-2, 2]`.
pub fn scalar() -> impl Strategy<Value = f64> {
    -2.0f64..2.0
}

/// A scalar in `[-2, 2]`, in `B`'s precision.
pub fn real_scalar<B: Backend>() -> impl Strategy<Value = B::Real> {
    scalar().prop_map(real::<B>)
}

/// A run-time sized vector of length `n`, entries in `[-2, 2]`.
pub fn dyn_vector<B: Backend>(n: usize) -> impl Strategy<Value = backprop_linalg::Vector<B>> {
    entries(n).prop_map(|v| rv(&v))
}

/// A run-time sized `rows×cols` matrix, entries in `[-2, 2]`.
pub fn dyn_matrix<B: Backend>(
    rows: usize,
    cols: usize,
) -> impl Strategy<Value = backprop_linalg::Matrix<B>> {
    entries(rows * cols).prop_map(move |v| lm(rows, cols, &v))
}

/// A complex matrix whose entries have modulus in `[0.3, 2]`, safe to divide by.
pub fn nonzero_complex_matrix<M: StaticDim, N: StaticDim, B: ComplexBackend>()
-> impl Strategy<Value = backprop_linalg::M<M, N, B>> {
    proptest::collection::vec(
        (0.3f64..2.0, 0.0f64..std::f64::consts::TAU),
        M::SIZE * N::SIZE,
    )
    .prop_map(|polar| {
        backprop_linalg::M::from_fn(|i, j| {
            let (r, t) = polar[i * N::SIZE + j];
            cx::<B>(num_complex::Complex64::from_polar(r, t))
        })
    })
}

/// A complex vector with entries in the right half plane (real part in `[0.3, 2]`), away from
/// the branch cuts of `ln`, `sqrt` and complex powers.
pub fn right_half_complex_vector<N: StaticDim, B: ComplexBackend>()
-> impl Strategy<Value = backprop_linalg::C<N, B>> {
    proptest::collection::vec((0.3f64..2.0, -1.5f64..1.5), N::SIZE).prop_map(|parts| {
        backprop_linalg::C::from_fn(|k| {
            cx::<B>(num_complex::Complex64::new(parts[k].0, parts[k].1))
        })
    })
}

// ----- cross-backend agreement -----

/// `n` entries drawn from `{-2, -1, 0, 1, 2}`: zeros, ties in absolute value and tied row or
/// column sums are frequent (and the sums exact), so the sign- and max-based rules meet their
/// subgradient conventions (`sign(0) = 0`, ties split evenly).
pub fn small_integers(n: usize) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec((-2i32..=2).prop_map(f64::from), n)
}

// ----- beyond hmatrix-backprop: solves, QR, matrix functions -----

/// A square matrix whose `tri` triangle is well conditioned (diagonal magnitudes in `[0.5, 2]`
/// of either sign, other entries of the triangle in `[-0.5, 0.5]`) and whose other triangle
/// holds arbitrary entries in `[-2, 2]`, which a triangular solve must ignore.
pub fn triangular<N: StaticDim, B: Backend>(
    tri: backprop_linalg::Triangle,
) -> impl Strategy<Value = L<N, N, B>> {
    let n = N::SIZE;
    (
        proptest::collection::vec(0.5f64..2.0, n),
        proptest::collection::vec(any::<bool>(), n),
        proptest::collection::vec(-0.5f64..0.5, n * n),
        entries(n * n),
    )
        .prop_map(move |(diag, signs, inside, outside)| {
            L::from_fn(|i, j| {
                let read = match tri {
                    backprop_linalg::Triangle::Lower => i >= j,
                    backprop_linalg::Triangle::Upper => i <= j,
                };
                real::<B>(if i == j {
                    if signs[i] { diag[i] } else { -diag[i] }
                } else if read {
                    inside[i * n + j]
                } else {
                    outside[i * n + j]
                })
            })
        })
}

/// A square matrix with Frobenius norm (hence 2-norm) at most 2. With `non_normal`, `λ·I + U`
/// for a strictly upper triangular `U` (as far from normal as its norm allows); otherwise a
/// rescaled matrix of independent entries (generically non-normal too).
pub fn small_norm<N: StaticDim, B: Backend>(non_normal: bool) -> impl Strategy<Value = L<N, N, B>> {
    norm_up_to::<N, B>(non_normal, 2.0)
}

/// As [`small_norm`], with Frobenius norm at most `bound` (drawn matrices past 2 are scaled
/// down to it, so most have about that norm).
pub fn norm_up_to<N: StaticDim, B: Backend>(
    non_normal: bool,
    bound: f64,
) -> impl Strategy<Value = L<N, N, B>> {
    let n = N::SIZE;
    (entries(n * n), -1.0f64..1.0).prop_map(move |(e, lambda)| {
        let a = crate::Dense::from_fn(n, n, |i, j| match (non_normal, i.cmp(&j)) {
            (false, _) => e[i * n + j],
            (true, std::cmp::Ordering::Less) => e[i * n + j],
            (true, std::cmp::Ordering::Equal) => lambda,
            (true, std::cmp::Ordering::Greater) => 0.0,
        });
        let frobenius = a.data.iter().map(|x| x * x).sum::<f64>().sqrt();
        let scale = if frobenius > 2.0 {
            bound / frobenius
        } else {
            bound / 2.0
        };
        to_l(&a.lin(scale, &a, 0.0))
    })
}

/// `P·D·P⁻¹` with `cond₂(P) ≤ 10` (`P = Q₁·diag(d)·Q₂`, `Qᵢ` orthogonal, `d ∈ [1, 10]`) and `D`
/// block diagonal with eigenvalues of real part in `[0.5, 3]`: real ones, or (drawn half of the
/// time, for `N ≥ 2`) a leading block `[[a, b], [−b, a]]` with eigenvalues `a ± ib`,
/// `b ∈ [0.2, 1.5]`. Such a matrix has a principal square root, well conditioned.
pub fn principal_root_input<N: StaticDim, B: Backend>() -> impl Strategy<Value = L<N, N, B>> {
    principal_root_input_within::<N, B>(10.0)
}

/// [`principal_root_input`] with `cond₂(P) ≤ cond`. The second-order checks draw with a
/// smaller bound: the Hessians of `sqrtm` and `logm` grow with the input's non-normality much
/// faster than their gradients, and the checker's step is relative to the largest entry, so
/// at `cond(P) = 10` a small entry's curvature can be too sharp for central differences of
/// the gradient (the exact Hessian agrees with differences at ever smaller steps).
pub fn principal_root_input_within<N: StaticDim, B: Backend>(
    cond: f64,
) -> impl Strategy<Value = L<N, N, B>> {
    let n = N::SIZE;
    (
        proptest::collection::vec(0.5f64..3.0, n),
        0.2f64..1.5,
        any::<bool>(),
        proptest::collection::vec(1.0f64..cond, n),
        crate::generators::orthogonal(n),
        crate::generators::orthogonal(n),
    )
        .prop_map(move |(re, im, complex, d, q1, q2)| {
            similar_to_block(&re, (complex && n >= 2).then_some(im), &d, &q1, &q2)
        })
}

/// `P·D·P⁻¹` with `cond₂(P) ≤ 3` and eigenvalues at least 0.4 apart: real ones
/// `−1 + 0.6·k + u`, `u ∈ [0, 0.2]`, and (half the time, for `N ≥ 2`) the first two replaced
/// by a complex pair `a ± ib`, `b ∈ [0.3, 1.5]`. Its eigenvectors are well conditioned and its
/// eigenvalues simple, so `eig`'s derivative exists and is moderate around it.
pub fn eig_input<N: StaticDim, B: Backend>() -> impl Strategy<Value = L<N, N, B>> {
    let n = N::SIZE;
    (
        proptest::collection::vec(0.0f64..0.2, n),
        0.3f64..1.5,
        any::<bool>(),
        proptest::collection::vec(1.0f64..3.0, n),
        crate::generators::orthogonal(n),
        crate::generators::orthogonal(n),
    )
        .prop_map(move |(jitter, im, complex, d, q1, q2)| {
            let re: Vec<f64> = (0..n).map(|k| -1.0 + 0.6 * k as f64 + jitter[k]).collect();
            similar_to_block(&re, (complex && n >= 2).then_some(im), &d, &q1, &q2)
        })
}

/// `P·D·P⁻¹` with `P = Q₁·diag(d)·Q₂` (so `cond₂(P) = max d / min d`) and `D = diag(re)`, its
/// leading 2×2 block replaced by `[[re₀, b], [−b, re₀]]` (eigenvalues `re₀ ± ib`) for
/// `pair = Some(b)`.
fn similar_to_block<N: StaticDim, B: Backend>(
    re: &[f64],
    pair: Option<f64>,
    d: &[f64],
    q1: &crate::Dense,
    q2: &crate::Dense,
) -> L<N, N, B> {
    let n = re.len();
    let block = crate::Dense::from_fn(n, n, |i, j| match (i, j, pair) {
        (0, 1, Some(b)) => b,
        (1, 0, Some(b)) => -b,
        (1, 1, Some(_)) => re[0],
        _ if i == j => re[i],
        _ => 0.0,
    });
    let p = q1.matmul(&crate::Dense::diag(n, n, d)).matmul(q2);
    let inv_d: Vec<f64> = d.iter().map(|x| 1.0 / x).collect();
    let p_inv = q2
        .t()
        .matmul(&crate::Dense::diag(n, n, &inv_d))
        .matmul(&q1.t());
    to_l(&p.matmul(&block).matmul(&p_inv))
}

// ----- error paths -----

/// The error of a `try_` form at `x`, if any.
pub fn error_of<A, O, F>(x: &A, f: F) -> Option<backprop_linalg::LinalgError>
where
    A: Backprop,
    O: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>) -> Result<BVar<'t, O>, backprop_linalg::LinalgError>,
{
    let mut error = None;
    backprop_core::eval_bp(
        |a| {
            if let Err(e) = f(a) {
                error = Some(e);
            }
            a.tape().constant(())
        },
        x,
    );
    error
}

/// The panic message of `f`, or `None` if it did not panic.
pub fn panic_message(f: impl FnOnce()) -> Option<String> {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).err()?;
    Some(match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload
            .downcast::<&str>()
            .map_or_else(|_| "<non-string panic>".to_owned(), |s| (*s).to_owned()),
    })
}

/// The panic message of `f`, which must panic.
#[track_caller]
pub fn expect_panic(f: impl FnOnce()) -> String {
    panic_message(f).expect("expected a panic")
}

/// `xs` widened to `f64` (exactly).
pub fn f64s<T: RealScalar>(xs: &[T]) -> Vec<f64> {
    xs.iter().map(|x| x.to_f64_real()).collect()
}

/// Asserts `|found − expected| ≤ tol` entry-wise (`found` in any precision, compared in `f64`).
#[track_caller]
pub fn assert_close<T: RealScalar>(found: &[T], expected: &[f64], tol: f64) {
    assert_eq!(found.len(), expected.len());
    for (k, (f, e)) in found.iter().zip(expected).enumerate() {
        let f = f.to_f64_real();
        assert!((f - e).abs() <= tol, "entry {k}: {f} vs {e} ({found:?})");
    }
}

/// Asserts that a gradient equals `expected` (row-major) up to rounding: `4500·ε` of `found`'s
/// precision (1e-12 in `f64`, 5.4e-4 in `f32`).
#[track_caller]
pub fn assert_entries<T: RealScalar>(found: &[T], expected: &[f64]) {
    assert_close(found, expected, 4.5e3 * T::epsilon().to_f64_real());
}

/// Naive row-major product of `a` (`m×k`) and `b` (`k×n`).
pub fn naive_mul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    (0..m * n)
        .map(|ij| (0..k).map(|l| a[ij / n * k + l] * b[l * n + ij % n]).sum())
        .collect()
}

/// Asserts that `try_f` fails at `x` with `expected`, and that the plain form `f` panics with
/// the same message, which starts with the operation's name.
#[track_caller]
pub fn assert_fails<A, O1, O2>(
    x: &A,
    expected: &backprop_linalg::LinalgError,
    try_f: impl for<'t> FnOnce(BVar<'t, A>) -> Result<BVar<'t, O1>, backprop_linalg::LinalgError>,
    f: impl for<'t> FnOnce(BVar<'t, A>) -> BVar<'t, O2>,
) where
    A: Backprop,
    O1: Backprop,
    O2: Backprop,
{
    assert_eq!(error_of(x, try_f).as_ref(), Some(expected));
    let message = panic_message(|| {
        backprop_core::eval_bp(f, x);
    });
    assert_eq!(message, Some(expected.to_string()));
    assert!(expected.to_string().starts_with(expected.op()));
}

// ----- Hermitian -----

/// A Hermitian matrix: the Hermitian part of a complex matrix with real and imaginary parts in
/// `[-2, 2]`.
pub fn hermitian<N: StaticDim, B: ComplexBackend>()
-> impl Strategy<Value = backprop_linalg::Her<N, B>> {
    complex_matrix::<N, N, B>().prop_map(|a| backprop_linalg::Her::from_m(&a))
}

/// A Hermitian matrix whose entries have modulus in `[0.3, 2]` (a real diagonal of either sign,
/// off-diagonal entries of any phase, mirrored as conjugates), safe to divide by.
pub fn nonzero_hermitian<N: StaticDim, B: ComplexBackend>()
-> impl Strategy<Value = backprop_linalg::Her<N, B>> {
    let n = N::SIZE;
    (
        proptest::collection::vec((0.3f64..2.0, 0.0f64..std::f64::consts::TAU), n * n),
        proptest::collection::vec(any::<bool>(), n),
    )
        .prop_map(move |(polar, signs)| {
            backprop_linalg::Her::from_fn(|i, j| {
                let (r, t) = polar[i.min(j) * n + i.max(j)];
                match i.cmp(&j) {
                    std::cmp::Ordering::Equal if signs[i] => {
                        cx::<B>(num_complex::Complex64::new(r, 0.0))
                    }
                    std::cmp::Ordering::Equal => cx::<B>(num_complex::Complex64::new(-r, 0.0)),
                    std::cmp::Ordering::Less => cx::<B>(num_complex::Complex64::from_polar(r, t)),
                    std::cmp::Ordering::Greater => {
                        cx::<B>(num_complex::Complex64::from_polar(r, -t))
                    }
                }
            })
        })
}

/// Where and with what message `f` panicked: `(file, line, message)`, the location recorded by
/// a panic hook for this thread (the hook forwards every panic to the one it replaced, so other
/// tests are unaffected).
///
/// # Panics
/// If `f` does not panic.
pub fn panic_site(f: impl FnOnce()) -> (String, u32, String) {
    use std::cell::RefCell;
    use std::sync::Once;
    thread_local! {
        static LOCATION: RefCell<Option<(String, u32)>> = const { RefCell::new(None) };
    }
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some(l) = info.location() {
                let here = (l.file().to_string(), l.line());
                let _ = LOCATION.try_with(|c| *c.borrow_mut() = Some(here));
            }
            previous(info);
        }));
    });
    LOCATION.with(|c| c.borrow_mut().take());
    let message = panic_message(f).expect("expected a panic");
    let (file, line) = LOCATION
        .with(|c| c.borrow_mut().take())
        .expect("the hook recorded where the panic was reported");
    (file, line, message)
}
