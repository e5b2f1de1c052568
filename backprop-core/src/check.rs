//! The gradient checker: compares the backward pass of any function with finite differences.
//!
//! For a function `f` and an input `x`, the checker compares vector-Jacobian products with
//! central differences, without ever reducing the output to a norm first (a norm of an
//! orthogonal factor is constant, which is how wrong gradients hide):
//!
//! - along random directions: a random cotangent `v` on the output and a random direction `u`
//!   in the input, comparing `⟨VJP(v), u⟩` with `⟨v, (f(x+hu) − f(x−hu)) / 2h⟩`;
//! - entry by entry, when input and output are small: the full Jacobian from one backward pass
//!   per output coordinate against one central difference per input coordinate.
//!
//! Central differences are refined by one Richardson step (steps h and h/2), so their error is
//! O(h⁴) and a relative tolerance of 1e-6 is meaningful for well-conditioned `f64` inputs. In
//! single precision, where rounding dominates, [`CheckConfig::for_epsilon`] derives the step,
//! the noise floor and the tolerance from the precision's epsilon instead. The report gives the
//! worst relative error and the probe (direction, or Jacobian entry) that produced it.
//!
//! Checking a custom op takes three lines:
//!
//! ```
//! use backprop_core::check::check_gradient;
//!
//! let report = check_gradient(|x| (x * x).sin(), &0.7);
//! report.assert_within(1e-6);
//! ```
//!
//! Inputs and outputs are any types with [`Coords`]: tuples give functions of several inputs
//! and several outputs.
//!
//! ```
//! use backprop_core::{check::check_gradient, Join};
//!
//! let report = check_gradient(
//!     |xy| {
//!         let (x, y) = xy.split();
//!         (x * y, x / y).join()
//!     },
//!     &(1.5, -0.5),
//! );
//! assert!(report.max_error < 1e-6, "{report}");
//! ```

use std::fmt;

use crate::{BVar, Backprop, Coords, backprop, backprop_with, eval_bp, hvp, jvp};

/// How the checker probes a function.
#[derive(Clone, Debug)]
pub struct CheckConfig {
    /// Number of random (direction, cotangent) pairs.
    pub directions: usize,
    /// Finite-difference step, relative to `max(1, ‖x‖∞)`.
    pub step: f64,
    /// The full Jacobian is checked when the input has at most this many coordinates...
    pub max_jacobian_inputs: usize,
    /// ...and the output at most this many.
    pub max_jacobian_outputs: usize,
    /// Seed of the random directions and cotangents.
    pub seed: u64,
    /// Whether central differences are refined by one Richardson step (steps `h` and `h/2`),
    /// which removes their `h²` truncation error and triples their rounding error (on by
    /// default; off gives the plain central difference).
    pub richardson: bool,
    /// The noise floor factor: a discrepancy smaller than `noise·(1 + ‖y‖∞)/max(1, ‖x‖∞)`
    /// times the tolerance is rounding, not an error. `1e-6` in double precision (about
    /// `5·ε/h` at the default step, divided by a tolerance of `1e-6`); see
    /// [`CheckConfig::for_epsilon`].
    pub noise: f64,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            directions: 6,
            step: 1e-3,
            max_jacobian_inputs: 16,
            max_jacobian_outputs: 16,
            seed: 0x5eed_0f9a_d1e7,
            richardson: true,
            noise: 1e-6,
        }
    }
}

impl CheckConfig {
    /// The settings for a function computed in a precision whose machine epsilon is `epsilon`
    /// (`f32::EPSILON` for single precision), to be used with the tolerance
    /// [`CheckConfig::tolerance_for_epsilon`]:
    ///
    /// - step `h = ε^{1/3}` (relative to `max(1, ‖x‖∞)`): a central difference is off by about
    ///   `h²·|f'''|/6` (truncation) plus `ε·|f|/h` (rounding), which this `h` balances, leaving
    ///   an error of order `ε^{2/3}` (`2.4e-5` in `f32`);
    /// - one Richardson step, as in double precision: it removes the `h²` truncation error,
    ///   which dominates where the third derivative is large (a matrix square root near small
    ///   eigenvalues), and triples the rounding error, still far below the tolerance;
    /// - a noise floor of `15·ε/(h·tol)`: a discrepancy below the rounding error of the
    ///   refined difference quotient, about `15·ε·(1 + ‖y‖∞)/h`, passes.
    ///
    /// In double precision the default settings (step `1e-3` with Richardson, tolerance `1e-6`)
    /// are sharper; this is for precisions where they cannot be met.
    ///
    /// ```
    /// use backprop_core::check::CheckConfig;
    /// let config = CheckConfig::for_epsilon(f64::from(f32::EPSILON));
    /// assert!((config.step - 4.9e-3).abs() < 1e-4);
    /// ```
    pub fn for_epsilon(epsilon: f64) -> Self {
        let step = epsilon.cbrt();
        CheckConfig {
            step,
            noise: 15.0 * epsilon / (step * Self::tolerance_for_epsilon(epsilon)),
            ..CheckConfig::default()
        }
    }

    /// The settings for a function from `A` to `O`: the default when both are stored in
    /// double precision, else [`CheckConfig::for_epsilon`] of the coarser epsilon
    /// ([`Coords::coord_epsilon`]).
    pub fn for_types<A: Coords, O: Coords>() -> Self {
        let epsilon = A::coord_epsilon().max(O::coord_epsilon());
        if epsilon > f64::EPSILON {
            Self::for_epsilon(epsilon)
        } else {
            Self::default()
        }
    }

    /// The tolerance for a function from `A` to `O`: `tolerance` in double precision, at
    /// least [`CheckConfig::tolerance_for_epsilon`] of the coarser epsilon otherwise.
    pub fn tolerance_for_types<A: Coords, O: Coords>(tolerance: f64) -> f64 {
        let epsilon = A::coord_epsilon().max(O::coord_epsilon());
        if epsilon > f64::EPSILON {
            tolerance.max(Self::tolerance_for_epsilon(epsilon))
        } else {
            tolerance
        }
    }

    /// The relative tolerance that goes with [`CheckConfig::for_epsilon`]: `ε^{1/3}`
    /// (`4.9e-3` in `f32`), about 200 times the `ε^{2/3}` error of the central difference,
    /// room for the conditioning of the function checked.
    pub fn tolerance_for_epsilon(epsilon: f64) -> f64 {
        epsilon.cbrt()
    }
}

/// Where a comparison was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// The `n`-th random direction and cotangent.
    Direction(usize),
    /// The Jacobian entry ∂ output\[output\] / ∂ input\[input\], coordinates as in [`Coords`]
    /// (for [`check_hvp`], the Hessian entry: output is the gradient's coordinate).
    Entry {
        /// Output coordinate.
        output: usize,
        /// Input coordinate.
        input: usize,
    },
    /// The `n`-th random pair compared by transposition: `⟨w, J·u⟩` from [`jvp`] against
    /// `⟨Jᵀ·w, u⟩` from the backward pass ([`check_jvp`]).
    Transposition(usize),
    /// The symmetry of the Hessian: entry (row, column) against (column, row) ([`check_hvp`]).
    Symmetry {
        /// Row.
        row: usize,
        /// Column.
        column: usize,
    },
    /// The gradient [`hvp`] returns, coordinate `n`, against [`backprop`]'s.
    Gradient(usize),
}

/// One comparison between the backward pass and finite differences.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finding {
    /// What was compared.
    pub probe: Probe,
    /// The value from the backward pass.
    pub analytic: f64,
    /// The value from finite differences.
    pub numeric: f64,
    /// The relative error (infinite if either is NaN).
    pub error: f64,
}

/// The result of a gradient check.
#[derive(Clone, Debug)]
pub struct GradReport {
    /// The worst relative error found (0 if nothing was compared).
    pub max_error: f64,
    /// The comparison with that error.
    pub worst: Option<Finding>,
    /// Number of input coordinates.
    pub inputs: usize,
    /// Number of output coordinates.
    pub outputs: usize,
    /// Number of random directions compared.
    pub directions: usize,
    /// Whether the full Jacobian was compared.
    pub jacobian: bool,
}

impl GradReport {
    /// Whether the worst relative error is at most `tolerance`.
    pub fn passes(&self, tolerance: f64) -> bool {
        self.max_error <= tolerance
    }

    /// Panics with the report if the worst relative error exceeds `tolerance`.
    #[track_caller]
    pub fn assert_within(&self, tolerance: f64) {
        assert!(
            self.passes(tolerance),
            "gradient check failed (tolerance {tolerance:e}): {self}"
        );
    }

    fn new(inputs: usize, outputs: usize) -> Self {
        GradReport {
            max_error: 0.0,
            worst: None,
            inputs,
            outputs,
            directions: 0,
            jacobian: false,
        }
    }

    /// Compares two Jacobians given by columns (`[input][output]`), entry by entry, relative to
    /// their largest entry.
    fn compare_columns(&mut self, analytic: &[Vec<f64>], numeric: &[Vec<f64>], floor: f64) {
        let scale = analytic
            .iter()
            .chain(numeric)
            .flatten()
            .fold(0.0f64, |acc, v| acc.max(v.abs()));
        for (input, (a, n)) in analytic.iter().zip(numeric).enumerate() {
            for (output, (a, n)) in a.iter().zip(n).enumerate() {
                let probe = Probe::Entry { output, input };
                self.record(finding(probe, *a, *n, scale, floor));
            }
        }
    }

    fn record(&mut self, finding: Finding) {
        if self.worst.is_none() || finding.error > self.max_error {
            self.max_error = finding.error;
            self.worst = Some(finding);
        }
    }
}

impl fmt::Display for GradReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "max relative error {:.3e}", self.max_error)?;
        if let Some(w) = &self.worst {
            match w.probe {
                Probe::Direction(k) => write!(f, " along random direction {k}")?,
                Probe::Entry { output, input } => {
                    write!(f, " at Jacobian entry (output {output}, input {input})")?
                }
                Probe::Transposition(k) => write!(f, " in the transposition identity, pair {k}")?,
                Probe::Symmetry { row, column } => {
                    write!(f, " in the symmetry of Hessian entry ({row}, {column})")?
                }
                Probe::Gradient(i) => write!(f, " at gradient coordinate {i}")?,
            }
            write!(f, ": analytic {:e}, numeric {:e}", w.analytic, w.numeric)?;
        }
        write!(
            f,
            " ({} input and {} output coordinates, {} random directions{})",
            self.inputs,
            self.outputs,
            self.directions,
            if self.jacobian { ", full Jacobian" } else { "" }
        )
    }
}

/// Checks the gradient of `f` at `x` with the [`CheckConfig`] for the precision of its input
/// and output ([`CheckConfig::for_types`]): the default in double precision, the
/// single-precision settings when either is stored in `f32`.
pub fn check_gradient<A, B, F>(f: F, x: &A) -> GradReport
where
    A: Backprop + Coords,
    B: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, B>,
{
    check_gradient_with(&CheckConfig::for_types::<A, B>(), f, x)
}

/// Checks the gradient of `f` at `x`, probing as `config` says.
///
/// # Panics
/// If `f` returns outputs of different sizes at nearby inputs, or a gradient whose coordinates
/// do not match the input's.
pub fn check_gradient_with<A, B, F>(config: &CheckConfig, f: F, x: &A) -> GradReport
where
    A: Backprop + Coords,
    B: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, B>,
{
    let probe = Prober::new(config, &f, x);
    let mut report = GradReport::new(probe.x.len(), probe.y.len());
    if probe.x.is_empty() || probe.y.is_empty() {
        return report;
    }
    let mut rng = SplitMix64(config.seed);

    for k in 0..config.directions {
        let u = rng.normal_vec(probe.x.len());
        let v = rng.normal_vec(probe.y.len());
        let g = probe.vjp(&v);
        let jv = probe.jvp(&u);
        let analytic = dot(&g, &u);
        let numeric = dot(&v, &jv);
        let scale = (norm(&g) * norm(&u)).max(norm(&v) * norm(&jv));
        let floor = probe.noise_floor() * norm(&v) * max_abs(&u);
        report.record(finding(
            Probe::Direction(k),
            analytic,
            numeric,
            scale,
            floor,
        ));
        report.directions += 1;
    }

    let (n, m) = (probe.x.len(), probe.y.len());
    if n <= config.max_jacobian_inputs && m <= config.max_jacobian_outputs {
        report.jacobian = true;
        let columns: Vec<Vec<f64>> = (0..n).map(|j| probe.jvp(&unit(n, j))).collect();
        let rows: Vec<Vec<f64>> = (0..m).map(|i| probe.vjp(&unit(m, i))).collect();
        let scale = columns
            .iter()
            .flatten()
            .chain(rows.iter().flatten())
            .fold(0.0f64, |acc, v| acc.max(v.abs()));
        for (i, row) in rows.iter().enumerate() {
            for (j, column) in columns.iter().enumerate() {
                let probe_ij = Probe::Entry {
                    output: i,
                    input: j,
                };
                let f = finding(probe_ij, row[j], column[i], scale, probe.noise_floor());
                report.record(f);
            }
        }
    }
    report
}

/// Checks [`jvp`] of `f` at `x` with the [`CheckConfig`] for the precision of its input and
/// output ([`CheckConfig::for_types`]).
///
/// ```
/// use backprop_core::check::check_jvp;
/// check_jvp(|x| (x * x).sin(), &0.7).assert_within(1e-6);
/// ```
pub fn check_jvp<A, B, F>(f: F, x: &A) -> GradReport
where
    A: Backprop + Coords,
    B: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, B>,
{
    check_jvp_with(&CheckConfig::for_types::<A, B>(), f, x)
}

/// Checks [`jvp`] of `f` at `x`, probing as `config` says: along random directions `u` and
/// cotangents `w`, `⟨w, J·u⟩` against central differences `⟨w, (f(x+hu) − f(x−hu))/2h⟩` and,
/// by the transposition identity, against `⟨Jᵀ·w, u⟩` from the backward pass; for small inputs
/// and outputs every column `J·eⱼ` against central differences.
///
/// # Panics
/// As [`check_gradient_with`].
pub fn check_jvp_with<A, B, F>(config: &CheckConfig, f: F, x: &A) -> GradReport
where
    A: Backprop + Coords,
    B: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, B>,
{
    let probe = Prober::new(config, &f, x);
    let mut report = GradReport::new(probe.x.len(), probe.y.len());
    if probe.x.is_empty() || probe.y.is_empty() {
        return report;
    }
    let forward = |u: &[f64]| jvp(&f, x, &x.with_coords(u)).1.to_coords();
    let mut rng = SplitMix64(config.seed);
    for k in 0..config.directions {
        let u = rng.normal_vec(probe.x.len());
        let w = rng.normal_vec(probe.y.len());
        let ju = forward(&u);
        let (numeric, transposed) = (probe.jvp(&u), probe.vjp(&w));
        let analytic = dot(&w, &ju);
        let scale = norm(&w) * norm(&ju).max(norm(&numeric));
        let floor = probe.noise_floor() * norm(&w) * max_abs(&u);
        report.record(finding(
            Probe::Direction(k),
            analytic,
            dot(&w, &numeric),
            scale,
            floor,
        ));
        let scale = scale.max(norm(&transposed) * norm(&u));
        report.record(finding(
            Probe::Transposition(k),
            analytic,
            dot(&transposed, &u),
            scale,
            f64::MIN_POSITIVE,
        ));
        report.directions += 1;
    }
    let (n, m) = (probe.x.len(), probe.y.len());
    if n <= config.max_jacobian_inputs && m <= config.max_jacobian_outputs {
        report.jacobian = true;
        let analytic: Vec<Vec<f64>> = (0..n).map(|j| forward(&unit(n, j))).collect();
        let numeric: Vec<Vec<f64>> = (0..n).map(|j| probe.jvp(&unit(n, j))).collect();
        report.compare_columns(&analytic, &numeric, probe.noise_floor());
    }
    report
}

/// Checks [`hvp`] of the scalar function `f` at `x` with the [`CheckConfig`] for the precision
/// of its input and output ([`CheckConfig::for_types`]).
///
/// ```
/// use backprop_core::check::check_hvp;
/// check_hvp(|x| (x * x).sin() * x, &0.7).assert_within(1e-6);
/// ```
pub fn check_hvp<A, B, F>(f: F, x: &A) -> GradReport
where
    A: Backprop + Coords,
    B: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, B>,
{
    check_hvp_with(&CheckConfig::for_types::<A, B>(), f, x)
}

/// Checks [`hvp`] of the scalar function `f` at `x`, probing as `config` says: the gradient it
/// returns against the backward pass's; along random directions `v` and `w`, `⟨w, ∇²f·v⟩`
/// against central differences of the gradient `⟨w, (∇f(x+hv) − ∇f(x−hv))/2h⟩`; for small
/// inputs the full Hessian, column by column against central differences, and its symmetry.
///
/// # Panics
/// If `f`'s output has more than one coordinate, and as [`check_gradient_with`].
pub fn check_hvp_with<A, B, F>(config: &CheckConfig, f: F, x: &A) -> GradReport
where
    A: Backprop + Coords,
    B: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, B>,
{
    let probe = Prober::new(config, &f, x);
    assert_eq!(
        probe.y.len(),
        1,
        "check_hvp: the function must have one output coordinate"
    );
    let mut report = GradReport::new(probe.x.len(), probe.x.len());
    if probe.x.is_empty() {
        return report;
    }
    let gradient_at = |c: &[f64]| backprop(&f, &x.with_coords(c)).1.to_coords();
    let g0 = gradient_at(&probe.x);
    // The noise floor of differences of the gradient, as the prober's for the function.
    let floor = probe.noise * (1.0 + max_abs(&g0)) / max_abs(&probe.x).max(1.0);
    let (_, g, _) = hvp(&f, x, &x.zero());
    let g = g.to_coords();
    let scale = max_abs(&g0);
    for (i, (a, b)) in g.iter().zip(&g0).enumerate() {
        report.record(finding(
            Probe::Gradient(i),
            *a,
            *b,
            scale,
            f64::MIN_POSITIVE,
        ));
    }
    let product = |v: &[f64]| hvp(&f, x, &x.with_coords(v)).2.to_coords();
    let difference =
        |v: &[f64]| central(&probe.x, v, probe.h, probe.richardson, |c| gradient_at(c));
    let mut rng = SplitMix64(config.seed);
    for k in 0..config.directions {
        let v = rng.normal_vec(probe.x.len());
        let w = rng.normal_vec(probe.x.len());
        let (hv, numeric) = (product(&v), difference(&v));
        let scale = norm(&w) * norm(&hv).max(norm(&numeric));
        report.record(finding(
            Probe::Direction(k),
            dot(&w, &hv),
            dot(&w, &numeric),
            scale,
            floor * norm(&w) * max_abs(&v),
        ));
        report.directions += 1;
    }
    let n = probe.x.len();
    if n <= config.max_jacobian_inputs {
        report.jacobian = true;
        let analytic: Vec<Vec<f64>> = (0..n).map(|j| product(&unit(n, j))).collect();
        let numeric: Vec<Vec<f64>> = (0..n).map(|j| difference(&unit(n, j))).collect();
        report.compare_columns(&analytic, &numeric, floor);
        let scale = analytic
            .iter()
            .flatten()
            .fold(0.0f64, |acc, v| acc.max(v.abs()));
        for (i, column) in analytic.iter().enumerate() {
            for (j, other) in analytic.iter().enumerate().skip(i + 1) {
                // H[j][i] is column i's entry j; H[i][j] column j's entry i.
                let probe_ij = Probe::Symmetry { row: j, column: i };
                let f = finding(probe_ij, column[j], other[i], scale, f64::MIN_POSITIVE);
                report.record(f);
            }
        }
    }
    report
}

fn finding(probe: Probe, analytic: f64, numeric: f64, scale: f64, floor: f64) -> Finding {
    let error = if analytic.is_finite() && numeric.is_finite() {
        (analytic - numeric).abs() / scale.max(floor).max(f64::MIN_POSITIVE)
    } else if analytic == numeric {
        0.0
    } else {
        f64::INFINITY
    };
    Finding {
        probe,
        analytic,
        numeric,
        error,
    }
}

/// Evaluates `f` and its vector-Jacobian products on coordinates.
struct Prober<'a, A, B, F> {
    f: &'a F,
    x0: &'a A,
    /// `f(x0)`: the shape every cotangent takes.
    y0: B,
    x: Vec<f64>,
    y: Vec<f64>,
    /// Absolute step.
    h: f64,
    /// Whether central differences get a Richardson step.
    richardson: bool,
    /// The noise floor factor.
    noise: f64,
}

impl<'a, A, B, F> Prober<'a, A, B, F>
where
    A: Backprop + Coords,
    B: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, B>,
{
    fn new(config: &CheckConfig, f: &'a F, x0: &'a A) -> Self {
        let x = x0.to_coords();
        let y0 = eval_bp(f, x0);
        let y = y0.to_coords();
        let h = config.step * max_abs(&x).max(1.0);
        Prober {
            f,
            x0,
            y0,
            x,
            y,
            h,
            richardson: config.richardson,
            noise: config.noise,
        }
    }

    /// Finite-difference noise relative to which errors are not meaningful: with rounding
    /// error ε·|y| in each evaluation, a difference quotient is off by about ε·|y|/h; the
    /// floor is that over the tolerance, times a small factor ([`CheckConfig::noise`]).
    fn noise_floor(&self) -> f64 {
        self.noise * (1.0 + max_abs(&self.y)) / max_abs(&self.x).max(1.0)
    }

    fn eval(&self, coords: &[f64]) -> Vec<f64> {
        let y = eval_bp(self.f, &self.x0.with_coords(coords)).to_coords();
        assert_eq!(
            y.len(),
            self.y.len(),
            "check_gradient: the output changed size under a small perturbation of the input"
        );
        y
    }

    /// Central difference of `f` along `u`, refined by one Richardson step if the configuration
    /// asks.
    fn jvp(&self, u: &[f64]) -> Vec<f64> {
        central(&self.x, u, self.h, self.richardson, |c| self.eval(c))
    }

    /// The backward pass with cotangent `v`, as coordinates.
    fn vjp(&self, v: &[f64]) -> Vec<f64> {
        let seed = self.y0.with_coords(v);
        let g = backprop_with(self.f, self.x0, seed).1.to_coords();
        assert_eq!(
            g.len(),
            self.x.len(),
            "check_gradient: the gradient has {} coordinates, the input {}",
            g.len(),
            self.x.len()
        );
        g
    }
}

/// The central difference of `eval` at `x` along `u` (the step `h` relative to `max|u|`),
/// refined by one Richardson step (steps h and h/2) if `richardson`.
fn central(
    x: &[f64],
    u: &[f64],
    h: f64,
    richardson: bool,
    eval: impl Fn(&[f64]) -> Vec<f64>,
) -> Vec<f64> {
    let h = h / max_abs(u).max(f64::MIN_POSITIVE);
    let diff = |h: f64| {
        let plus: Vec<f64> = x.iter().zip(u).map(|(x, u)| x + h * u).collect();
        let minus: Vec<f64> = x.iter().zip(u).map(|(x, u)| x - h * u).collect();
        let (fp, fm) = (eval(&plus), eval(&minus));
        fp.iter()
            .zip(&fm)
            .map(|(p, m)| (p - m) / (2.0 * h))
            .collect::<Vec<f64>>()
    };
    if !richardson {
        return diff(h);
    }
    let (coarse, fine) = (diff(h), diff(h / 2.0));
    fine.iter()
        .zip(&coarse)
        .map(|(f, c)| (4.0 * f - c) / 3.0)
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

fn unit(n: usize, i: usize) -> Vec<f64> {
    let mut e = vec![0.0; n];
    e[i] = 1.0;
    e
}

/// SplitMix64: a small, well-mixed generator; enough for probe directions.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn normal_vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.normal()).collect()
    }
}
