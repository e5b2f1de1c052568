//! Matrix functions of symmetric matrices, through the eigendecomposition: [`sym_fn`] for any
//! scalar function given with its derivative, [`sym_fn_`] for one written on variables, and the
//! named forms [`sym_exp`], [`sym_log`], [`sym_sqrt`] and [`sym_pow`]; each with a `try_` form.
//!
//! For `A = V·diag(λ)·Vᵀ`, `f(A) = V·diag(f(λ))·Vᵀ`. The gradient is the Daleckii–Krein
//! formula (Higham 2008, *Functions of Matrices*, Theorem 3.11; Magnus & Neudecker 2019, §8.8):
//!
//! `Ā = V·(G ∘ (Vᵀ·Ȳ·V))·Vᵀ`, with `Gᵢⱼ = (f(λᵢ) − f(λⱼ))/(λᵢ − λⱼ)` for `λᵢ ≠ λⱼ` and
//! `Gᵢⱼ = f'(λᵢ)` where they coincide.
//!
//! # Repeated eigenvalues
//! The eigenvectors of a repeated eigenvalue are any orthonormal basis of its eigenspace, and
//! differentiating them is impossible (the eigenvector route, [`eigensystem`](crate::eigensystem)
//! then `V·f(Λ)·Vᵀ`, must refuse such inputs). `f(A)` does not depend on that choice, and the
//! divided differences `G` turn into derivatives where eigenvalues meet, so these gradients are
//! exact and finite at repeated eigenvalues: at the identity, in block-repeated spectra,
//! anywhere. This is what covariance-manifold code needs (log-Euclidean metrics, matrix square
//! roots of SPD matrices), where exactly repeated eigenvalues are common.
//!
//! A divided difference of nearly equal eigenvalues loses accuracy (its rounding error is about
//! `ε·|f|/|λᵢ − λⱼ|`). When `|λᵢ − λⱼ| ≤ ε^{1/3}·max(1, |λᵢ|, |λⱼ|)` it is replaced by
//! `(f'(λᵢ) + f'(λⱼ))/2`, whose error is `|λᵢ − λⱼ|²·|f'''|/12`; both are then about `ε^{2/3}`
//! relative (4e-11 in `f64`, 2.5e-5 in `f32`).
//!
//! # Second order
//! The rule `Ā = L_f(A, Ȳ)` (the Fréchet derivative, self-adjoint in its direction) is recorded
//! as an op of `A` and `Ȳ` whose own rule is the second-order Daleckii–Krein formula, with the
//! second divided differences `f[λₐ, λ_c, λᵦ]` (Higham 2008, §3.5): `f''` is needed, so the
//! named forms and [`sym_fn_`] are differentiable twice and [`sym_fn`] (given `f'` alone) once.
//! Of three eigenvalues sorted `x ≤ y ≤ z`, `f[x, y, z] = (f[y, z] − f[x, y])/(z − x)`, or,
//! when `z − x ≤ ε^{1/4}·max(1, |x|, |z|)`, `(f''(x) + f''(y) + f''(z))/6`, whose error is
//! `O((z − x)²)` against the difference's rounding `ε/(z − x)²`: about `ε^{1/2}` relative at
//! the switch, exact to rounding where eigenvalues are separated or equal.

use std::rc::Rc;

use backprop_core::{BVar, eval_bp, grad_bp, hvp};
use num_traits::Float;

use crate::Sym;
use crate::backend::{Backend, LinalgError, RealMatrix, lit, one, or_fail, sized, zero};
use crate::dense::{Construct, Dense};
use crate::dim::Dim;
use crate::ops::support::record::rule1;
use crate::ops::support::spectral::scale_columns;
use crate::types::sym::symmetrize;

use backprop_backend::Transpose::{No, Yes};

/// Which eigenvalues a function accepts.
#[derive(Clone, Copy)]
enum Domain {
    /// Every real number.
    All,
    /// Positive numbers: the input must be positive definite.
    Positive,
}

/// `f(A) = V·diag(f(λ))·Vᵀ` for a symmetric `A = V·diag(λ)·Vᵀ`, with `df` the derivative of
/// `f` (both on plain scalars).
///
/// Gradient (Daleckii–Krein): `Ā = V·(G ∘ (Vᵀ·Ȳ·V))·Vᵀ`, `Gᵢⱼ = (f(λᵢ) − f(λⱼ))/(λᵢ − λⱼ)`,
/// `f'(λᵢ)` at equal eigenvalues: exact and finite at repeated eigenvalues (see the
/// [module documentation](self)).
///
/// ```
/// use backprop_linalg::{Sym, grad_bp, sum_elements, sym_fn, un_sym};
/// use backprop_linalg::typenum::U2;
///
/// // The identity has one eigenvalue twice; the gradient of Σ exp(A)ᵢⱼ there is still exact.
/// let a = Sym::<U2>::from_fn(|i, j| if i == j { 1.0 } else { 0.0 });
/// let g = grad_bp(|a| sum_elements(un_sym(sym_fn(a, f64::exp, f64::exp))), &a);
/// let e = std::f64::consts::E;
/// assert!((g.to_sq().get(0, 0) - e).abs() < 1e-12 && (g.to_sq().get(0, 1) - e).abs() < 1e-12);
/// ```
///
/// Given `f'` alone, `sym_fn` is differentiable once: [`hvp`] and [`jvp`](backprop_core::jvp)
/// through it panic with a message. [`sym_fn_`] takes `f` written on variables and serves the
/// second order too.
///
/// # Panics
/// As [`try_sym_fn`]; on a tape whose backward pass will be recorded ([`hvp`],
/// [`jvp`](backprop_core::jvp)), saying that `f''` is missing.
#[track_caller]
pub fn sym_fn<'t, N, B>(
    a: BVar<'t, Sym<N, B>>,
    f: impl Fn(B::Real) -> B::Real,
    df: impl Fn(B::Real) -> B::Real,
) -> BVar<'t, Sym<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_sym_fn(a, f, df))
}

/// [`sym_fn`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries of `A`, or for a non-finite `f(λᵢ)`
/// or `f'(λᵢ)`; [`LinalgError::NoConvergence`] if the eigensolver does not converge; all
/// naming `sym_fn`.
pub fn try_sym_fn<'t, N, B>(
    a: BVar<'t, Sym<N, B>>,
    f: impl Fn(B::Real) -> B::Real,
    df: impl Fn(B::Real) -> B::Real,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    spectral_function("sym_fn", Domain::All, a, f, df, None)
}

/// [`sym_fn`] for a function written on variables, differentiated by the library: `f'` and, for
/// [`hvp`] and [`jvp`](backprop_core::jvp), `f''` at each eigenvalue come from differentiating
/// `f` on its own tape (as [`vmap_`](crate::vmap_) does), so the op is differentiable to the
/// second order.
///
/// Gradient: [`sym_fn`]'s. Second order: the derivative of the Daleckii–Krein rule,
/// `∂⟨W, L_f(A, E)⟩/∂A = V·M·Vᵀ`, `Mₐᵦ = Σ_c f[λₐ, λ_c, λᵦ]·(Ẽₐ_c·W̃_cᵦ + W̃ₐ_c·Ẽ_cᵦ)` in the
/// eigenbasis, with the second divided differences `f[·,·,·]` (Higham 2008, §3.5); exact and
/// finite at repeated eigenvalues, as the first order.
///
/// ```
/// use backprop_linalg::{BVar, Sym, hvp, sym_fn_, trace, un_sym};
/// use backprop_linalg::typenum::U2;
///
/// // tr(A³) at A = I (a repeated eigenvalue): gradient 3·A² = 3·I, Hessian-vector product
/// // 3·(A·V + V·A) = 6·V, here with V = E₀₀.
/// fn f<'t>(a: BVar<'t, Sym<U2>>) -> BVar<'t, f64> {
///     trace(un_sym(sym_fn_(a, |x| x * x * x)))
/// }
/// let i = Sym::<U2>::from_fn(|i, j| if i == j { 1.0 } else { 0.0 });
/// let v = Sym::<U2>::from_fn(|i, j| if i == 0 && j == 0 { 1.0 } else { 0.0 });
/// let (_, g, hv) = hvp(f, &i, &v);
/// assert!((g.to_sq().get(0, 0) - 3.0).abs() < 1e-12);
/// assert!((hv.to_sq().get(0, 0) - 6.0).abs() < 1e-12 && hv.to_sq().get(1, 1).abs() < 1e-12);
/// ```
///
/// # Panics
/// As [`try_sym_fn_`].
#[track_caller]
pub fn sym_fn_<'t, N, B, F>(a: BVar<'t, Sym<N, B>>, f: F) -> BVar<'t, Sym<N, B>>
where
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>) -> BVar<'s, B::Real>,
{
    or_fail(try_sym_fn_(a, f))
}

/// [`sym_fn_`], returning an error instead of panicking.
///
/// # Errors
/// As [`try_sym_fn`] (a non-finite `f''(λᵢ)` too, where it is computed), naming `sym_fn_`.
pub fn try_sym_fn_<'t, N, B, F>(
    a: BVar<'t, Sym<N, B>>,
    f: F,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
    F: for<'s> Fn(BVar<'s, B::Real>) -> BVar<'s, B::Real>,
{
    let one = one::<B::Real>();
    let d2 = |x: B::Real| hvp(&f, &x, &one).2;
    spectral_function(
        "sym_fn_",
        Domain::All,
        a,
        |x| eval_bp(&f, &x),
        |x| grad_bp(&f, &x),
        Some(&d2),
    )
}

/// The matrix exponential of a symmetric matrix, `V·diag(e^λ)·Vᵀ` (symmetric positive
/// definite). Agrees with [`expm`](crate::expm) on symmetric input.
///
/// Gradient: [`sym_fn`]'s with `f = f' = exp`; exact at repeated eigenvalues.
///
/// # Panics
/// As [`try_sym_exp`].
#[track_caller]
pub fn sym_exp<'t, N: Dim, B: Backend>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, Sym<N, B>> {
    or_fail(try_sym_exp(a))
}

/// [`sym_exp`], returning an error instead of panicking.
///
/// # Errors
/// As [`try_sym_fn`], naming `sym_exp`.
pub fn try_sym_exp<'t, N: Dim, B: Backend>(
    a: BVar<'t, Sym<N, B>>,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError> {
    spectral_function(
        "sym_exp",
        Domain::All,
        a,
        Float::exp,
        Float::exp,
        Some(&Float::exp),
    )
}

/// The principal logarithm of a symmetric positive definite matrix, `V·diag(ln λ)·Vᵀ`
/// (symmetric; the log-Euclidean map of covariance matrices).
///
/// Gradient: [`sym_fn`]'s with `f = ln`, `f' = 1/λ`; exact at repeated eigenvalues.
///
/// # Panics
/// As [`try_sym_log`].
#[track_caller]
pub fn sym_log<'t, N: Dim, B: Backend>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, Sym<N, B>> {
    or_fail(try_sym_log(a))
}

/// [`sym_log`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NotPositiveDefinite`] if an eigenvalue is not positive (the real logarithm
/// does not exist), otherwise as [`try_sym_fn`]; all naming `sym_log`.
pub fn try_sym_log<'t, N: Dim, B: Backend>(
    a: BVar<'t, Sym<N, B>>,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError> {
    let d2 = |x: B::Real| -(x * x).recip();
    spectral_function(
        "sym_log",
        Domain::Positive,
        a,
        Float::ln,
        Float::recip,
        Some(&d2),
    )
}

/// The principal square root of a symmetric positive definite matrix, `V·diag(√λ)·Vᵀ` (the
/// unique symmetric positive definite `X` with `X² = A`). Agrees with [`sqrtm`](crate::sqrtm)
/// on such input.
///
/// Gradient: [`sym_fn`]'s with `f = √`, `f' = 1/(2√λ)`; exact at repeated eigenvalues.
///
/// # Panics
/// As [`try_sym_sqrt`].
#[track_caller]
pub fn sym_sqrt<'t, N: Dim, B: Backend>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, Sym<N, B>> {
    or_fail(try_sym_sqrt(a))
}

/// [`sym_sqrt`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NotPositiveDefinite`] if an eigenvalue is not positive (at a zero eigenvalue
/// the root exists but has no derivative), otherwise as [`try_sym_fn`]; all naming `sym_sqrt`.
pub fn try_sym_sqrt<'t, N: Dim, B: Backend>(
    a: BVar<'t, Sym<N, B>>,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError> {
    // (√x)' = 1/(2√x), (√x)'' = −1/(4·x·√x).
    let half = |x: B::Real| (x + x).recip();
    let d2 = move |x: B::Real| -half(x + x) * Float::sqrt(x).recip();
    spectral_function(
        "sym_sqrt",
        Domain::Positive,
        a,
        Float::sqrt,
        move |x| half(Float::sqrt(x)),
        Some(&d2),
    )
}

/// The real power `Aᵖ = V·diag(λᵖ)·Vᵀ` of a symmetric positive definite matrix (`p = −1` the
/// inverse, `p = ½` the square root, `p = −½` the inverse square root of whitening).
///
/// Gradient: [`sym_fn`]'s with `f = λᵖ`, `f' = p·λᵖ⁻¹`; exact at repeated eigenvalues. The
/// gradient with respect to `p` is not taken (`p` is a constant).
///
/// # Panics
/// As [`try_sym_pow`].
#[track_caller]
pub fn sym_pow<'t, N: Dim, B: Backend>(a: BVar<'t, Sym<N, B>>, p: B::Real) -> BVar<'t, Sym<N, B>> {
    or_fail(try_sym_pow(a, p))
}

/// [`sym_pow`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NotPositiveDefinite`] if an eigenvalue is not positive, otherwise as
/// [`try_sym_fn`]; all naming `sym_pow`.
pub fn try_sym_pow<'t, N: Dim, B: Backend>(
    a: BVar<'t, Sym<N, B>>,
    p: B::Real,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError> {
    let one = one::<B::Real>();
    let d2 = move |x: B::Real| p * (p - one) * Float::powf(x, p - one - one);
    spectral_function(
        "sym_pow",
        Domain::Positive,
        a,
        move |x| Float::powf(x, p),
        move |x| p * Float::powf(x, p - one),
        Some(&d2),
    )
}

/// What the rules of `f(A)` need of `A = V·diag(λ)·Vᵀ`: the eigenvectors, the first divided
/// differences `G` of `f`, and for the second order the eigenvalues with `f`, `f'` and `f''` at
/// them.
struct Spectrum<B: Backend> {
    v: RealMatrix<B>,
    g: RealMatrix<B>,
    second: Option<SecondOrder<B::Real>>,
}

/// `λᵢ` and `f''(λᵢ)`: with `G`, what the second divided differences are formed from.
struct SecondOrder<T> {
    lambda: Vec<T>,
    d2f: Vec<T>,
}

impl<B: Backend> Spectrum<B> {
    /// `Vᵀ·X·V`: `X` in the eigenbasis.
    fn in_eigenbasis(&self, x: &RealMatrix<B>) -> RealMatrix<B> {
        let v = &self.v;
        sized(B::matmul(&sized(B::matmul(v, Yes, x, No)), No, v, No))
    }

    /// `sym(V·X·Vᵀ)`: an eigenbasis matrix back in the standard basis.
    fn out_of_eigenbasis(&self, x: &RealMatrix<B>) -> RealMatrix<B> {
        let v = &self.v;
        symmetrize::<B>(&sized(B::matmul(
            &sized(B::matmul(v, No, x, No)),
            No,
            v,
            Yes,
        )))
    }

    /// The Fréchet derivative `L_f(A, E) = V·(G ∘ (Vᵀ·E·V))·Vᵀ` (self-adjoint in `E`: the
    /// gradient's own formula).
    fn frechet(&self, e: &RealMatrix<B>) -> RealMatrix<B> {
        let inner = self.in_eigenbasis(e);
        self.out_of_eigenbasis(&sized(B::mat_zip_map(&inner, &self.g, |x, g| x * g)))
    }

    /// The gradient of `⟨W, L_f(A, E)⟩` with respect to `A`: `V·M·Vᵀ` with
    /// `Mₐᵦ = Σ_c f[λₐ, λ_c, λᵦ]·(Ẽₐ_c·W̃_cᵦ + W̃ₐ_c·Ẽ_cᵦ)`, `Ẽ = Vᵀ·E·V`, `W̃ = Vᵀ·W·V`, and
    /// `f[·,·,·]` the second divided differences (the second-order Daleckii–Krein formula:
    /// Higham 2008, *Functions of Matrices*, §3.5; Bhatia 1997, *Matrix Analysis*, V.3.3).
    fn frechet_gradient(&self, e: &RealMatrix<B>, w: &RealMatrix<B>) -> RealMatrix<B> {
        let Some(second) = &self.second else {
            unreachable!("the second order was refused when the op was recorded")
        };
        let (e, w) = (self.in_eigenbasis(e), self.in_eigenbasis(w));
        let n = second.lambda.len();
        let f2 = second_divided_differences::<B>(second, &self.g);
        let m = B::mat_from_fn(n, n, |a, b| {
            (0..n).fold(zero::<B::Real>(), |sum, c| {
                let ew = B::mat_get(&e, a, c) * B::mat_get(&w, c, b)
                    + B::mat_get(&w, a, c) * B::mat_get(&e, c, b);
                sum + f2[(a * n + c) * n + b] * ew
            })
        });
        self.out_of_eigenbasis(&m)
    }
}

/// `f(A)` through the eigendecomposition, recorded with the Daleckii–Krein rule. `d2f` (`f''`)
/// makes the op differentiable to the second order; without it a tape whose backward pass will
/// be recorded is refused, naming `alternative`.
#[track_caller]
fn spectral_function<'t, N, B>(
    op: &'static str,
    domain: Domain,
    a: BVar<'t, Sym<N, B>>,
    f: impl Fn(B::Real) -> B::Real,
    df: impl Fn(B::Real) -> B::Real,
    d2f: Option<&dyn Fn(B::Real) -> B::Real>,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    let e = B::sym_eigen(a.value().data()).map_err(|e| e.with_op(op))?;
    let n = B::vec_len(&e.values);
    let lambda: Vec<B::Real> = (0..n).map(|i| B::vec_get(&e.values, i)).collect();
    if matches!(domain, Domain::Positive) && lambda.iter().any(|&l| l <= zero::<B::Real>()) {
        return Err(LinalgError::NotPositiveDefinite { op });
    }
    let fl: Vec<B::Real> = lambda.iter().map(|&l| f(l)).collect();
    let dl: Vec<B::Real> = lambda.iter().map(|&l| df(l)).collect();
    // f'' only where the backward pass will be recorded.
    let second_order = a.requires_grad() && a.tape().second_order();
    let d2l: Vec<B::Real> = match (second_order, d2f) {
        (false, _) => Vec::new(),
        (true, Some(d2f)) => lambda.iter().map(|&l| d2f(l)).collect(),
        (true, None) => panic!(
            "{op}: the second order needs f'', which {op} is not given; use sym_fn_ \
             (derivatives by differentiating f) or a named form (sym_exp, sym_log, sym_sqrt, \
             sym_pow)"
        ),
    };
    if fl.iter().chain(&dl).chain(&d2l).any(|x| !x.is_finite()) {
        return Err(LinalgError::NonFinite { op });
    }
    let v = e.vectors;
    let y = sized(B::matmul(&scale_columns::<B>(&v, |j| fl[j]), No, &v, Yes));
    let value = Sym::wrap(symmetrize::<B>(&y));
    if !a.requires_grad() {
        return Ok(a.tape().constant(value));
    }
    let g = divided_differences::<B>(&lambda, &fl, &dl);
    let second = second_order.then_some(SecondOrder { lambda, d2f: d2l });
    let spectrum = Rc::new(Spectrum { v, g, second });
    Ok(rule1(a, value, move |cx, ia, _, dy| {
        if !cx.wants(ia) {
            return;
        }
        let grad = cx.value(ia).zip(
            dy,
            |_, dy| Sym::wrap(spectrum.frechet(dy.data())),
            |a, dy| frechet_var(Rc::clone(&spectrum), a, dy),
        );
        cx.add(ia, grad);
    }))
}

/// `L_f(A, E)`, recorded with its first-order rule: `Ē = L_f(A, W)` (self-adjoint) and `Ā` the
/// gradient of `⟨W, L_f(A, E)⟩` (second divided differences). It is recorded with
/// [`Tape::record`](backprop_core::Tape::record): a third order is refused with the tape's
/// message.
fn frechet_var<'t, N: Dim, B: Backend>(
    spectrum: Rc<Spectrum<B>>,
    a: BVar<'t, Sym<N, B>>,
    e: BVar<'t, Sym<N, B>>,
) -> BVar<'t, Sym<N, B>> {
    let value = Sym::wrap(spectrum.frechet(e.value().data()));
    let (ia, ie) = (a.id(), e.id());
    let requires_grad = a.requires_grad() || e.requires_grad();
    e.tape().record(value, requires_grad, move |ctx, _, w| {
        if ctx.wants(ie) {
            ctx.add(ie, Sym::wrap(spectrum.frechet(w.data())));
        }
        if ctx.wants(ia) {
            let e = ctx.value(ie).data();
            ctx.add(ia, Sym::wrap(spectrum.frechet_gradient(e, w.data())));
        }
    })
}

/// `Gᵢⱼ = (f(λᵢ) − f(λⱼ))/(λᵢ − λⱼ)`, or `(f'(λᵢ) + f'(λⱼ))/2` when the eigenvalues are within
/// `ε^{1/3}·max(1, |λᵢ|, |λⱼ|)` of each other (see the module documentation).
fn divided_differences<B: Backend>(
    lambda: &[B::Real],
    fl: &[B::Real],
    dl: &[B::Real],
) -> RealMatrix<B> {
    let n = lambda.len();
    let one = one::<B::Real>();
    let close = B::Real::epsilon().cbrt();
    B::mat_from_fn(n, n, |i, j| {
        let gap = lambda[i] - lambda[j];
        let scale = one.max(lambda[i].abs()).max(lambda[j].abs());
        if gap.abs() <= close * scale {
            (dl[i] + dl[j]) / (one + one)
        } else {
            (fl[i] - fl[j]) / gap
        }
    })
}

/// `f[λₐ, λ_c, λᵦ]` for every `(a, c, b)`, as a table indexed `(a·n + c)·n + b`. Of the three
/// eigenvalues sorted `x ≤ y ≤ z`: `(f[y, z] − f[x, y])/(z − x)` from the first divided
/// differences `G`, or `(f''(x) + f''(y) + f''(z))/6` when `z − x ≤ ε^{1/4}·max(1, |x|, |z|)`
/// (see the module documentation).
fn second_divided_differences<B: Backend>(
    s: &SecondOrder<B::Real>,
    g: &RealMatrix<B>,
) -> Vec<B::Real> {
    let (l, n) = (&s.lambda, s.lambda.len());
    let one = one::<B::Real>();
    let six = lit::<B>(6.0);
    let close = B::Real::epsilon().sqrt().sqrt();
    let mut table = Vec::with_capacity(n * n * n);
    for a in 0..n {
        for c in 0..n {
            for b in 0..n {
                let mut t = [a, c, b];
                t.sort_by(|&p, &q| l[p].partial_cmp(&l[q]).unwrap_or(std::cmp::Ordering::Equal));
                let [x, y, z] = t;
                let gap = l[z] - l[x];
                let scale = one.max(l[x].abs()).max(l[z].abs());
                table.push(if gap <= close * scale {
                    (s.d2f[x] + s.d2f[y] + s.d2f[z]) / six
                } else {
                    (B::mat_get(g, y, z) - B::mat_get(g, x, y)) / gap
                });
            }
        }
    }
    table
}
