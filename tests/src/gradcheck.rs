//! The harness of the gradient suite: generic property runners over any backend, strategies for
//! the linalg types, and the gradient assertion (the core checker, relative tolerance 1e-6).
//!
//! A case is a generic function `fn name<B: Backend>()` that calls [`run`] with a strategy and a
//! property; the suite files instantiate every case once per backend in a module named after it
//! (`faer::mul_3x2_2x3`), so a new backend gets every case by one line.

use backprop_core::check::{CheckConfig, check_gradient_with};
use backprop_core::{BVar, Backprop, Coords};
use backprop_linalg::{Backend, L, R, Sym};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use typenum::Unsigned;

/// The relative tolerance of every gradient check with well-conditioned inputs.
pub const TOL: f64 = 1e-6;

/// Runs `property` on inputs drawn from `strategy` with proptest's default number of cases;
/// a failure shrinks and panics with the minimal input.
#[track_caller]
pub fn run<S>(strategy: S, property: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
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

/// [`grad_ok`] with another tolerance: loosen it only with a written reason at the call.
pub fn grad_within<A, O, F>(tol: f64, f: F, x: &A) -> Result<(), TestCaseError>
where
    A: Backprop + Coords,
    O: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
{
    let config = CheckConfig {
        max_jacobian_inputs: 25,
        max_jacobian_outputs: 25,
        ..CheckConfig::default()
    };
    let report = check_gradient_with(&config, f, x);
    prop_assert!(report.passes(tol), "{}", report);
    Ok(())
}

/// Entries in `[-2, 2]`.
pub fn entries(n: usize) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(-2.0f64..2.0, n)
}

/// A vector with entries in `[-2, 2]`.
pub fn vector<N: Unsigned + 'static, B: Backend>() -> impl Strategy<Value = R<N, B>> {
    entries(N::USIZE).prop_map(|v| R::from_slice(&v))
}

/// A vector whose entries are at least 0.1 away from zero, and from each other in absolute
/// value, so sign- and max-based functions are smooth around it.
pub fn separated_vector<N: Unsigned + 'static, B: Backend>() -> impl Strategy<Value = R<N, B>> {
    (
        Just((0..N::USIZE).collect::<Vec<usize>>()).prop_shuffle(),
        proptest::collection::vec(any::<bool>(), N::USIZE),
        0.0f64..0.05,
    )
        .prop_map(|(order, signs, jitter)| {
            R::from_fn(|i| {
                let m = 0.3 + 0.25 * order[i] as f64 + jitter;
                if signs[i] { m } else { -m }
            })
        })
}

/// A matrix with entries in `[-2, 2]`.
pub fn matrix<M: Unsigned + 'static, N: Unsigned + 'static, B: Backend>()
-> impl Strategy<Value = L<M, N, B>> {
    entries(M::USIZE * N::USIZE).prop_map(|v| L::from_row_major(&v))
}

/// A symmetric matrix with entries in `[-2, 2]`.
pub fn symmetric<N: Unsigned + 'static, B: Backend>() -> impl Strategy<Value = Sym<N, B>> {
    entries(N::USIZE * N::USIZE).prop_map(|v| Sym::from_sq(&L::from_row_major(&v)))
}
