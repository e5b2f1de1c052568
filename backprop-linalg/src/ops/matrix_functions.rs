//! Matrix functions of general square matrices: [`expm`] and [`sqrtm`] (hmatrix's `expm` and
//! `sqrtm`, which hmatrix-backprop lists as not lifted) and [`logm`], each with a `try_` form,
//! computed with the backend's GEMM, LU solve and inverse only. The gradients of `expm` and
//! `logm` are the adjoint Fréchet derivative: `expm`'s by Al-Mohy & Higham's algorithm, with
//! the exponential's own scaling and powers; `logm`'s by one evaluation of the function on a
//! `2n×2n` block matrix. `sqrtm`'s solves a Sylvester equation.

use crate::dim::{Dim, Dyn};
use backprop_backend::{Transpose, validate};
use backprop_core::{BVar, Join, Val};

use backprop_backend::RealScalar;
use num_traits::Float;

use crate::backend::{Backend, LinalgError, RealMatrix, count, lit, one, or_fail, sized, zero};
use crate::dense::{Construct, Dense};
use crate::ops::determinant::{inverse, ln_abs_det};
use crate::ops::structure::transpose;
use crate::ops::support::in_backward;
use crate::ops::support::linear::Linear;
use crate::ops::support::record::{pull_product, rule1, rule2};
use crate::{L, Sq};

use Transpose::{No, Yes};

/// `A·B`.
fn mm<B: Backend>(a: &RealMatrix<B>, b: &RealMatrix<B>) -> RealMatrix<B> {
    sized(B::matmul(a, No, b, No))
}

/// `c₀·I + Σ cᵢ·Xᵢ` (`n×n`), with the constants given in `f64` and rounded to `B`'s precision.
fn combination<B: Backend>(n: usize, c0: f64, terms: &[(f64, &RealMatrix<B>)]) -> RealMatrix<B> {
    let (c0, zero) = (lit::<B>(c0), zero::<B::Real>());
    let mut out = B::mat_from_fn(n, n, |i, j| if i == j { c0 } else { zero });
    for (c, x) in terms {
        sized(B::mat_axpy(&mut out, lit::<B>(*c), x));
    }
    out
}

// ----- expm -----

/// The coefficients `b₀..b₁₃` of the [13/13] Padé approximant to `eˣ` (Higham 2005, Table 2.3).
const PADE13: [f64; 14] = [
    64_764_752_532_480_000.0,
    32_382_376_266_240_000.0,
    7_771_770_303_897_600.0,
    1_187_353_796_428_800.0,
    129_060_195_264_000.0,
    10_559_470_521_600.0,
    670_442_572_800.0,
    33_522_128_640.0,
    1_323_241_920.0,
    40_840_800.0,
    960_960.0,
    16_380.0,
    182.0,
    1.0,
];

/// `θ₁₃`: the largest `‖A‖₁` for which the [13/13] Padé approximant is accurate to the unit
/// roundoff of `f64` (`2⁻⁵³`) in backward error (Higham 2005, Table 2.3).
const THETA13: f64 = 5.371_920_351_148_152;

/// The coefficients `b₀..b₇` of the [7/7] Padé approximant to `eˣ` (Higham 2005, eq. 2.2).
const PADE7: [f64; 8] = [
    17_297_280.0,
    8_648_640.0,
    1_995_840.0,
    277_200.0,
    25_200.0,
    1_512.0,
    56.0,
    1.0,
];

/// `θ₇` for single precision: the largest `‖A‖₁` for which the [7/7] Padé approximant is
/// accurate to the unit roundoff of `f32` (`2⁻²⁴`) in backward error (Higham 2005, Table 2.3,
/// single precision; the value Eigen's `MatrixExponential` uses for `float`).
const THETA7_SINGLE: f64 = 3.925_724_783_138_66;

/// `C += A·B`.
fn add_mm<B: Backend>(c: &mut RealMatrix<B>, a: &RealMatrix<B>, b: &RealMatrix<B>) {
    let one = one::<B::Real>();
    sized(B::gemm(c, one, a, No, b, No, one));
}

/// `A·B + B·A`.
fn anticommutator<B: Backend>(a: &RealMatrix<B>, b: &RealMatrix<B>) -> RealMatrix<B> {
    let mut c = mm::<B>(a, b);
    add_mm::<B>(&mut c, b, a);
    c
}

/// `exp(A)` by scaling and squaring with a Padé approximant (Higham 2005, "The scaling and
/// squaring method for the matrix exponential revisited", SIMAX 26(4), Alg. 2.3, with one
/// degree throughout: 13 in double precision, 7 in single): `A` is scaled by `2⁻ˢ` so that
/// `‖2⁻ˢA‖₁ ≤ θ`, then `r = (V − U)⁻¹(V + U)` is squared `s` times.
///
/// With `e`, also the Fréchet derivative `L(A, E)` in the same pass (Al-Mohy & Higham 2009,
/// "Computing the Fréchet derivative of the matrix exponential, with an application to
/// condition number estimation", SIMAX 30(4), Alg. 6.4): the derivatives of the powers
/// (`M₂ = AE + EA`, `M₄ = A²M₂ + M₂A²`, `M₆ = A⁴M₂ + M₄A²`), of `U` and `V` (`L_U`, `L_V`),
/// `L = (V − U)⁻¹(L_U + L_V + (L_U − L_V)·r)`, and `L ← r·L + L·r` at each squaring. The same
/// scaling and degree serve both (`E` is scaled with `A`), so the derivative costs about twice
/// the exponential, against eight times for `exp` of the `2n×2n` block `[[A, E], [0, A]]`.
#[allow(clippy::type_complexity)]
fn expm_pade<B: Backend>(
    op: &'static str,
    a: &RealMatrix<B>,
    e: Option<&RealMatrix<B>>,
) -> Result<(RealMatrix<B>, Option<RealMatrix<B>>), LinalgError> {
    let n = validate::square(op, B::mat_shape(a))?;
    validate::finite_matrix::<B::Real, B>(op, a)?;
    // Degree 13 for double precision, degree 7 (three fewer products) where the unit
    // roundoff is f32's: the degree whose θ is the largest norm it is accurate for at this
    // precision.
    let single = B::Real::epsilon() > lit::<B>(1e-10);
    let theta = lit::<B>(if single { THETA7_SINGLE } else { THETA13 });
    let norm = B::mat_norm_1(a);
    #[allow(clippy::cast_possible_truncation)] // a few tens at most: ‖A‖₁ is finite
    let s = if norm > theta {
        RealScalar::to_f64_real((norm / theta).log2().ceil()) as i32
    } else {
        0
    };
    let scale = lit::<B>(2f64.powi(-s));
    let a = B::mat_scale(a, scale);
    let e = e.map(|e| B::mat_scale(e, scale));
    let a2 = mm::<B>(&a, &a);
    let a4 = mm::<B>(&a2, &a2);
    let a6 = mm::<B>(&a4, &a2);
    // The derivatives of A², A⁴, A⁶ in the direction E.
    let m = e.as_ref().map(|e| {
        let m2 = anticommutator::<B>(&a, e);
        let m4 = anticommutator::<B>(&a2, &m2);
        let mut m6 = mm::<B>(&a4, &m2);
        add_mm::<B>(&mut m6, &m4, &a2);
        (m2, m4, m6)
    });
    // U = A·W and V, with W and V sums of the even powers (and, at degree 13, A⁶ times such
    // a sum); L_U and L_V their derivatives, term by term.
    let (u, v, l) = if single {
        let b = &PADE7;
        let w = combination::<B>(n, b[1], &[(b[7], &a6), (b[5], &a4), (b[3], &a2)]);
        let u = mm::<B>(&a, &w);
        let v = combination::<B>(n, b[0], &[(b[6], &a6), (b[4], &a4), (b[2], &a2)]);
        let l = m.map(|(m2, m4, m6)| {
            let lw = combination::<B>(n, 0.0, &[(b[7], &m6), (b[5], &m4), (b[3], &m2)]);
            let mut lu = mm::<B>(&a, &lw);
            add_mm::<B>(&mut lu, e.as_ref().expect("m exists with e"), &w);
            let lv = combination::<B>(n, 0.0, &[(b[6], &m6), (b[4], &m4), (b[2], &m2)]);
            (lu, lv)
        });
        (u, v, l)
    } else {
        let b = &PADE13;
        let w1 = combination::<B>(n, 0.0, &[(b[13], &a6), (b[11], &a4), (b[9], &a2)]);
        let mut w = combination::<B>(n, b[1], &[(b[7], &a6), (b[5], &a4), (b[3], &a2)]);
        add_mm::<B>(&mut w, &a6, &w1);
        let u = mm::<B>(&a, &w);
        let z1 = combination::<B>(n, 0.0, &[(b[12], &a6), (b[10], &a4), (b[8], &a2)]);
        let mut v = combination::<B>(n, b[0], &[(b[6], &a6), (b[4], &a4), (b[2], &a2)]);
        add_mm::<B>(&mut v, &a6, &z1);
        let l = m.map(|(m2, m4, m6)| {
            let lw1 = combination::<B>(n, 0.0, &[(b[13], &m6), (b[11], &m4), (b[9], &m2)]);
            let mut lw = combination::<B>(n, 0.0, &[(b[7], &m6), (b[5], &m4), (b[3], &m2)]);
            add_mm::<B>(&mut lw, &a6, &lw1);
            add_mm::<B>(&mut lw, &m6, &w1);
            let mut lu = mm::<B>(&a, &lw);
            add_mm::<B>(&mut lu, e.as_ref().expect("m exists with e"), &w);
            let lz1 = combination::<B>(n, 0.0, &[(b[12], &m6), (b[10], &m4), (b[8], &m2)]);
            let mut lv = combination::<B>(n, 0.0, &[(b[6], &m6), (b[4], &m4), (b[2], &m2)]);
            add_mm::<B>(&mut lv, &a6, &lz1);
            add_mm::<B>(&mut lv, &m6, &z1);
            (lu, lv)
        });
        (u, v, l)
    };
    let p = sized(B::mat_add(&v, &u));
    let q = sized(B::mat_sub(&v, &u));
    let mut r = B::solve(&q, &p).map_err(|e| e.with_op(op))?;
    let mut l = match l {
        Some((lu, lv)) => {
            let mut rhs = sized(B::mat_add(&lu, &lv));
            add_mm::<B>(&mut rhs, &sized(B::mat_sub(&lu, &lv)), &r);
            Some(B::solve(&q, &rhs).map_err(|e| e.with_op(op))?)
        }
        None => None,
    };
    for _ in 0..s {
        if let Some(l) = &mut l {
            let mut next = mm::<B>(&r, l);
            add_mm::<B>(&mut next, l, &r);
            *l = next;
        }
        r = mm::<B>(&r, &r);
    }
    Ok((r, l))
}

/// `exp(A)` (see [`expm_pade`]).
fn expm_matrix<B: Backend>(
    op: &'static str,
    a: &RealMatrix<B>,
) -> Result<RealMatrix<B>, LinalgError> {
    Ok(expm_pade::<B>(op, a, None)?.0)
}

/// The adjoint of the Fréchet derivative of a primary matrix function `f` at `A`, applied to the
/// cotangent `G`: `L_f(Aᵀ, G)`, the top right block of `f([[Aᵀ, G], [0, Aᵀ]])` (Mathias 1996;
/// Higham 2008, Thm 3.6), of quantities of a rule. `f` applies the function to the `2n×2n`
/// block (recorded on variables, so the rule differentiates again). `G` is scaled to `A`'s
/// 1-norm first (the derivative is linear in it, so the scale is a constant of the rule), so
/// the block matrix is no harder than `A`.
fn frechet_adjoint<'v, N: Dim, B: Backend>(
    f: impl FnOnce(Val<'v, Sq<Dyn, B>>) -> Val<'v, Sq<Dyn, B>>,
    a: Val<'v, Sq<N, B>>,
    g: Val<'v, Sq<N, B>>,
) -> Val<'v, Sq<N, B>> {
    let n = a.get().shape().0;
    let g_norm = B::mat_norm_1(g.get().data());
    let zero = lit::<B>(0.0);
    if g_norm == zero && !g.is_var() {
        return Val::Own(L::wrap(B::mat_zeros(n, n)));
    }
    let scale = if g_norm == zero {
        lit::<B>(1.0)
    } else {
        B::mat_norm_1(a.get().data()).max(lit::<B>(1.0)) / g_norm
    };
    // (A, G) ↦ [[Aᵀ, s·G], [0, Aᵀ]]; adjoint M̄ ↦ ((M̄₁₁ + M̄₂₂)ᵀ, s·M̄₁₂).
    let embed = Linear::new(
        move |(a, g): &(Sq<N, B>, Sq<N, B>)| {
            let (a, g) = (a.data(), g.data());
            L::wrap(B::mat_from_fn(2 * n, 2 * n, |i, j| match (i < n, j < n) {
                (true, true) => B::mat_get(a, j, i),
                (true, false) => scale * B::mat_get(g, i, j - n),
                (false, true) => zero,
                (false, false) => B::mat_get(a, j - n, i - n),
            }))
        },
        move |m: &Sq<Dyn, B>| {
            let m = m.data();
            (
                L::wrap(B::mat_from_fn(n, n, |i, j| {
                    B::mat_get(m, j, i) + B::mat_get(m, j + n, i + n)
                })),
                L::wrap(B::mat_from_fn(n, n, |i, j| scale * B::mat_get(m, i, j + n))),
            )
        },
    );
    // M ↦ M₁₂/s; adjoint X̄ ↦ [[0, X̄/s], [0, 0]].
    let top_right = Linear::new(
        move |m: &Sq<Dyn, B>| {
            L::wrap(B::mat_from_fn(n, n, |i, j| {
                B::mat_get(m.data(), i, j + n) / scale
            }))
        },
        move |x: &Sq<N, B>| {
            L::wrap(B::mat_from_fn(2 * n, 2 * n, |i, j| {
                if i < n && j >= n {
                    B::mat_get(x.data(), i, j - n) / scale
                } else {
                    zero
                }
            }))
        },
    );
    let pair = a.zip(
        g,
        |a, g| (a.into_owned(), g.into_owned()),
        |a, g| (a, g).join(),
    );
    top_right.val(f(embed.val(pair)))
}

/// The matrix exponential `exp(A) = Σ Aᵏ/k!` of a general square matrix (hmatrix's `expm`).
///
/// Computed by scaling and squaring with the [13/13] Padé approximant (Higham 2005), using
/// the backend's GEMM and LU solve.
///
/// Gradient: `Ā = L(Aᵀ, Ḡ) = L(A, Ḡᵀ)ᵀ`, the Fréchet derivative of `exp` at `Aᵀ` in the
/// direction `Ḡ` (Najfeld & Havel 1995, "Derivatives of the matrix exponential and their
/// computation", Adv. Appl. Math. 16; Mathias 1996), computed with the exponential by Al-Mohy
/// & Higham's algorithm (2009, SIMAX 30(4), Alg. 6.4): the same scaling, Padé degree and
/// powers of `A` as `exp(A)`, about three times the forward pass's products in all.
///
/// Second order ([`hvp`](crate::hvp), [`jvp`](crate::jvp)): in a recorded backward pass the same
/// `L(Aᵀ, Ḡ)` is taken in its block form, the top right block of `exp([[Aᵀ, Ḡ], [0, Aᵀ]])`
/// (Mathias 1996), through `expm` itself at `2n×2n`, so the rule differentiates again.
///
/// # Numerical behaviour
/// Entries of `exp(A)` beyond the range of `f64` (roughly `‖A‖ > 709`) overflow to infinity,
/// as the scalar `exp` does.
///
/// # Panics
/// As [`try_expm`].
#[track_caller]
pub fn expm<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, Sq<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_expm(a))
}

/// [`expm`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] (naming `expm`) for NaN or infinite entries. `exp` is entire:
/// every finite matrix has an exponential and a gradient.
pub fn try_expm<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> Result<BVar<'t, Sq<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "expm";
    let e = L::wrap(expm_matrix::<B>(OP, a.value().data())?);
    Ok(rule1(a, e, |cx, ia, _, de| {
        if !cx.wants(ia) {
            return;
        }
        let a = cx.value(ia);
        let grad = if a.is_var() || de.is_var() {
            // Recorded: the same L(Aᵀ, Ḡ) by its block form, through expm itself.
            frechet_adjoint(exp_of::<B>, a, de)
        } else {
            // Ā = L(Aᵀ, Ḡ) = L(A, Ḡᵀ)ᵀ, since exp(Aᵀ + tḠ) = exp(A + tḠᵀ)ᵀ.
            let g = B::mat_transpose(de.get().data());
            let (_, l) = in_backward(OP, expm_pade::<B>(OP, a.get().data(), Some(&g)));
            Val::Own(L::wrap(B::mat_transpose(&l.expect("asked for"))))
        };
        cx.add(ia, grad);
    }))
}

/// `exp(M)` of a quantity of a rule (the block matrix of [`frechet_adjoint`]): computed on a
/// plain value, recorded with [`expm`] on a variable.
fn exp_of<'v, B: Backend>(m: Val<'v, Sq<Dyn, B>>) -> Val<'v, Sq<Dyn, B>> {
    const OP: &str = "expm";
    m.map(
        |m| L::wrap(in_backward(OP, expm_matrix::<B>(OP, m.data()))),
        expm,
    )
}

// ----- sqrtm -----

/// Iterations allowed to the Denman–Beavers iteration before [`LinalgError::NoConvergence`];
/// with determinant scaling it needs fewer than 10 on well-conditioned input.
const SQRTM_MAX_ITER: usize = 64;

/// The principal square root by the product form of the Denman–Beavers iteration with
/// determinant scaling (Higham 2008, *Functions of Matrices*, eq. (6.29)):
/// `μₖ = |det Mₖ|^(−1/2n)`, `Yₖ₊₁ = μₖYₖ(I + μₖ⁻²Mₖ⁻¹)/2`,
/// `Mₖ₊₁ = (I + (μₖ²Mₖ + μₖ⁻²Mₖ⁻¹)/2)/2`, from `Y₀ = M₀ = A`; `Yₖ → A^{1/2}`, `Mₖ → I`
/// quadratically. It stops one iteration after `‖Mₖ − I‖₁ ≤ √ε` (quadratic convergence then
/// takes the error to rounding level), and checks the residual `‖Y² − A‖₁ ≤ √ε·‖Y‖₁²`.
fn sqrtm_matrix<B: Backend>(
    op: &'static str,
    a: &RealMatrix<B>,
) -> Result<RealMatrix<B>, LinalgError> {
    let n = validate::square(op, B::mat_shape(a))?;
    validate::finite_matrix::<B::Real, B>(op, a)?;
    if n == 0 {
        return Ok(a.clone());
    }
    let eye = B::mat_identity(n);
    let (mut m, mut y) = (a.clone(), a.clone());
    let mut polish = false;
    for _ in 0..SQRTM_MAX_ITER {
        let m_inv = inverse::<B>(op, &m)?;
        let (ln_det, _) = ln_abs_det::<B>(op, &m);
        let mu = (-ln_det / (lit::<B>(2.0) * count::<B>(n))).exp();
        let (half, one) = (lit::<B>(0.5), one::<B::Real>());
        let mut y_next = B::mat_scale(&y, half * mu);
        sized(B::gemm(&mut y_next, half / mu, &y, No, &m_inv, No, one));
        let mu2 = RealScalar::to_f64_real(mu * mu);
        m = combination::<B>(n, 0.5, &[(0.25 * mu2, &m), (0.25 / mu2, &m_inv)]);
        y = y_next;
        if !B::mat_is_finite(&y) {
            break;
        }
        if polish {
            let residual = sized(B::mat_sub(&mm::<B>(&y, &y), a));
            let y_norm = B::mat_norm_1(&y);
            if B::mat_norm_1(&residual) <= B::Real::epsilon().sqrt() * y_norm * y_norm {
                return Ok(y);
            }
            break;
        }
        polish = B::mat_norm_1(&sized(B::mat_sub(&m, &eye))) <= B::Real::epsilon().sqrt();
    }
    Err(LinalgError::NoConvergence { op })
}

/// The principal square root `Y = A^{1/2}` of a general square matrix (hmatrix's `sqrtm`): the
/// unique `Y` with `Y² = A` whose eigenvalues lie in the open right half plane. It exists when
/// `A` has no eigenvalue on the closed negative real axis `(−∞, 0]`.
///
/// Computed by the scaled Denman–Beavers iteration (product form; Higham 2008, *Functions of
/// Matrices*, §6.3), with a convergence check and a residual check, using the backend's LU
/// (inverse and determinant) and GEMM.
///
/// Gradient (Higham 2008, §6.1; Lin & Maji 2017, BMVC): differentiating `Y·Y = A` gives
/// `Y·dY + dY·Y = dA`, so the adjoint `Ā` solves the Sylvester equation
/// `Yᵀ·Ā + Ā·Yᵀ = Ȳ`, which is non-singular because the eigenvalues `μᵢ` of the principal `Y`
/// satisfy `μᵢ + μⱼ ≠ 0`. It is solved in vectorised form,
/// `(I ⊗ Yᵀ + Y ⊗ I)·vec(Ā) = vec(Ȳ)`, by one LU solve of order `n²`: `O(n⁶)` flops and
/// `O(n⁴)` memory, negligible for the small statically sized matrices this crate targets
/// (`n ≤ 10`: under 10⁶ flops), prohibitive beyond `n ≈ 50` (a Bartels–Stewart solver on the
/// real Schur form would be `O(n³)`). The solve is recorded with its own rule (the same
/// equation for `Yᵀ`), so the gradient differentiates again ([`hvp`](crate::hvp)).
///
/// # Panics
/// As [`try_sqrtm`]; the backward pass panics (naming `sqrtm`) only if the Sylvester system is
/// numerically singular, which needs a nearly singular `A`.
#[track_caller]
pub fn sqrtm<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, Sq<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_sqrtm(a))
}

/// [`sqrtm`], returning an error instead of panicking.
///
/// # Errors
/// - [`LinalgError::Singular`] if `A` (or an iterate) is singular: a singular `A` has no
///   differentiable square root.
/// - [`LinalgError::NoConvergence`] if the iteration does not converge within 64 steps or its
///   result does not square to `A`: this is what happens when `A` has an eigenvalue on the
///   negative real axis, where no principal (real) square root exists.
/// - [`LinalgError::NonFinite`] for NaN or infinite entries.
///
/// All name `sqrtm`.
pub fn try_sqrtm<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> Result<BVar<'t, Sq<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "sqrtm";
    let y = L::wrap(sqrtm_matrix::<B>(OP, a.value().data())?);
    Ok(rule1(a, y, |cx, ia, y, dy| {
        if cx.wants(ia) {
            let grad = sylvester(&y, dy);
            cx.add(ia, grad);
        }
    }))
}

/// `X` solving `Yᵀ·X + X·Yᵀ = G` (the rule of [`sqrtm`]) for quantities of a rule: solved on
/// plain values, recorded on variables.
///
/// Gradient of the recorded solve: with `Z` solving `Y·Z + Z·Y = X̄` (the same equation for
/// `Yᵀ`, the adjoint of the solve in `G`), `Ḡ = Z` and `Ȳ = −(X·Zᵀ + Zᵀ·X)`, from
/// `Yᵀ·dX + dX·Yᵀ = dG − dYᵀ·X − X·dYᵀ`.
fn sylvester<'v, N: Dim, B: Backend>(
    y: &Val<'v, Sq<N, B>>,
    g: Val<'v, Sq<N, B>>,
) -> Val<'v, Sq<N, B>> {
    const OP: &str = "sqrtm";
    let solve = |y: &Sq<N, B>, g: &Sq<N, B>| {
        L::wrap(in_backward(
            OP,
            sylvester_adjoint::<B>(OP, y.data(), g.data()),
        ))
    };
    let Some(tape) = y.tape().or(g.tape()) else {
        return Val::Own(solve(y.get(), g.get()));
    };
    let (y, g) = (y.to_var(tape), g.on(tape));
    let x = solve(y.value(), g.value());
    Val::Var(rule2(y, g, x, |cx, iy, ig, x, dx| {
        if !(cx.wants(iy) || cx.wants(ig)) {
            return;
        }
        let z = sylvester(&transpose(cx.value(iy)), dx);
        let minus_z = -&z;
        pull_product(cx, iy, &x, No, &minus_z, Yes);
        pull_product(cx, iy, &minus_z, Yes, &x, No);
        cx.add(ig, z);
    }))
}

/// Solves `Yᵀ·X + X·Yᵀ = G` by the vectorised system `(I ⊗ Yᵀ + Y ⊗ I)·vec(X) = vec(G)`
/// (column-major `vec`, index `i + j·n`): its entry at row `(i, j)`, column `(k, l)` is
/// `δⱼₗ·Yₖᵢ + δᵢₖ·Yⱼₗ`.
fn sylvester_adjoint<B: Backend>(
    op: &'static str,
    y: &RealMatrix<B>,
    g: &RealMatrix<B>,
) -> Result<RealMatrix<B>, LinalgError> {
    let n = B::mat_shape(y).0;
    let kron = B::mat_from_fn(n * n, n * n, |row, col| {
        let (i, j, k, l) = (row % n, row / n, col % n, col / n);
        let mut v = zero::<B::Real>();
        if j == l {
            v += B::mat_get(y, k, i);
        }
        if i == k {
            v += B::mat_get(y, j, l);
        }
        v
    });
    let rhs = B::mat_from_fn(n * n, 1, |row, _| B::mat_get(g, row % n, row / n));
    let x = B::solve(&kron, &rhs).map_err(|e| e.with_op(op))?;
    Ok(B::mat_from_fn(n, n, |i, j| B::mat_get(&x, i + j * n, 0)))
}

// ----- logm -----

/// The Gauss–Legendre nodes `tⱼ` and weights `wⱼ` of order 8 on `[0, 1]`: the partial fractions
/// of the [8/8] Padé approximant `r₈(X) = Σ wⱼ·X·(I + tⱼ·X)⁻¹` to `log(I + X)` (Dieci, Morini
/// & Papini 1996; Higham 2008, *Functions of Matrices*, §11.4). For `‖X‖ ≤ 1/4` its error is
/// below `f64`'s unit roundoff (Kenney–Laub bound `|r₈(−‖X‖) − log(1 − ‖X‖)|` < 1e-17).
const GAUSS_LEGENDRE_8: [(f64, f64); 8] = [
    (0.019_855_071_751_231_912, 0.050_614_268_145_188_53),
    (0.101_666_761_293_186_64, 0.111_190_517_226_687_21),
    (0.237_233_795_041_835_5, 0.156_853_322_938_943_44),
    (0.408_282_678_752_175_1, 0.181_341_891_689_180_83),
    (0.591_717_321_247_824_8, 0.181_341_891_689_180_83),
    (0.762_766_204_958_164_5, 0.156_853_322_938_943_44),
    (0.898_333_238_706_813_4, 0.111_190_517_226_687_21),
    (0.980_144_928_248_768_1, 0.050_614_268_145_188_53),
];

/// How close to `I` (in the 1-norm) repeated square roots take `A` before the Padé step.
const LOGM_THETA: f64 = 0.25;

/// Square roots allowed before giving up: `‖A^{1/2ˢ} − I‖` shrinks like `‖log A‖/2ˢ`, so
/// 64 covers every finite matrix whose logarithm exists.
const LOGM_MAX_ROOTS: usize = 64;

/// `log(A)` by inverse scaling and squaring (Kenney & Laub 1989; Higham 2008, Alg. 11.10, with
/// a fixed degree): `A` is replaced by `A^{1/2ˢ}` (the principal square root, [`sqrtm`]'s
/// iteration) until `‖A^{1/2ˢ} − I‖₁ ≤ 1/4`, then `log A = 2ˢ·r₈(A^{1/2ˢ} − I)`. A square root
/// that fails, at a singular or negative-axis eigenvalue, is reported as
/// [`LinalgError::NoPrincipalLogarithm`].
fn logm_matrix<B: Backend>(
    op: &'static str,
    a: &RealMatrix<B>,
) -> Result<RealMatrix<B>, LinalgError> {
    let n = validate::square(op, B::mat_shape(a))?;
    validate::finite_matrix::<B::Real, B>(op, a)?;
    let eye = B::mat_identity(n);
    let mut root = a.clone();
    let mut roots = 0;
    let x = loop {
        let x = sized(B::mat_sub(&root, &eye));
        if B::mat_norm_1(&x) <= lit::<B>(LOGM_THETA) {
            break x;
        }
        if roots == LOGM_MAX_ROOTS {
            return Err(LinalgError::NoPrincipalLogarithm { op });
        }
        root = sqrtm_matrix::<B>(op, &root).map_err(|e| match e {
            LinalgError::Singular { .. } | LinalgError::NoConvergence { .. } => {
                LinalgError::NoPrincipalLogarithm { op }
            }
            other => other,
        })?;
        roots += 1;
    };
    // r₈(X) = Σ wⱼ·(I + tⱼ·X)⁻¹·X (the factors commute).
    let mut log = B::mat_zeros(n, n);
    for (t, w) in GAUSS_LEGENDRE_8 {
        let shifted = combination::<B>(n, 1.0, &[(t, &x)]);
        let term = B::solve(&shifted, &x).map_err(|e| e.with_op(op))?;
        sized(B::mat_axpy(&mut log, lit::<B>(w), &term));
    }
    #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)] // at most 64
    Ok(B::mat_scale(&log, lit::<B>(2f64.powi(roots as i32))))
}

/// `log(M)` of a quantity of a rule (the block matrix of [`frechet_adjoint`]): computed on a
/// plain value, recorded with [`logm`] on a variable.
fn log_of<'v, B: Backend>(m: Val<'v, Sq<Dyn, B>>) -> Val<'v, Sq<Dyn, B>> {
    const OP: &str = "logm";
    m.map(
        |m| L::wrap(in_backward(OP, logm_matrix::<B>(OP, m.data()))),
        logm,
    )
}

/// The principal logarithm `X = log(A)` of a real square matrix: the unique real `X` with
/// `exp(X) = A` whose eigenvalues have imaginary parts in `(−π, π)`. It exists when `A` has
/// no eigenvalue on the closed negative real axis `(−∞, 0]`.
///
/// Computed by inverse scaling and squaring (Kenney & Laub 1989; Higham 2008, *Functions of
/// Matrices*, §11.5): repeated principal square roots ([`sqrtm`]'s Denman–Beavers iteration)
/// until `A^{1/2ˢ}` is within `1/4` of `I`, then the [8/8] Padé approximant of `log(I + X)` in
/// partial fractions (8 LU solves), times `2ˢ`.
///
/// Gradient: `Ā = L(Aᵀ, X̄)`, the Fréchet derivative of `log` at `Aᵀ` in the direction `X̄`
/// (the adjoint of `L(A, ·)`), computed as the top right block of
/// `log([[Aᵀ, X̄], [0, Aᵀ]])` (Mathias 1996; Higham 2008, Thm 3.6; Al-Mohy, Higham & Relton
/// 2013, "Computing the Fréchet derivative of the matrix logarithm and estimating the
/// condition number", SISC 35(4)), the same algorithm at `2n×2n`; recorded through `logm`
/// itself in a recorded backward pass, so it differentiates again ([`hvp`](crate::hvp)).
///
/// ```
/// use backprop_linalg::{Sq, eval_bp, expm, logm};
/// use backprop_linalg::typenum::U2;
///
/// // A rotation by 0.5 rad is the exponential of a skew-symmetric matrix.
/// let (c, s) = (0.5f64.cos(), 0.5f64.sin());
/// let a = Sq::<U2>::from_row_major(&[c, -s, s, c]);
/// let x = eval_bp(logm, &a).to_row_major();
/// let want = [0.0, -0.5, 0.5, 0.0];
/// assert!(x.iter().zip(want).all(|(x, w)| (x - w).abs() < 1e-14));
/// let back = eval_bp(expm, &Sq::<U2>::from_row_major(&x)).to_row_major();
/// assert!(back.iter().zip([c, -s, s, c]).all(|(b, a)| (b - a).abs() < 1e-14));
/// ```
///
/// # Panics
/// As [`try_logm`].
#[track_caller]
pub fn logm<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, Sq<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_logm(a))
}

/// [`logm`], returning an error instead of panicking.
///
/// # Errors
/// - [`LinalgError::NoPrincipalLogarithm`] if `A` has an eigenvalue on the closed negative
///   real axis (a singular `A` included), or so close to it that the square roots do not
///   converge: the principal logarithm does not exist there, and is arbitrarily ill
///   conditioned near it.
/// - [`LinalgError::NonFinite`] for NaN or infinite entries.
/// - [`LinalgError::ShapeMismatch`] for a non-square matrix (possible only with run-time
///   sizes).
///
/// All name `logm`.
pub fn try_logm<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> Result<BVar<'t, Sq<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "logm";
    let x = L::wrap(logm_matrix::<B>(OP, a.value().data())?);
    Ok(rule1(a, x, |cx, ia, _, dx| {
        if !cx.wants(ia) {
            return;
        }
        let grad = frechet_adjoint(log_of::<B>, cx.value(ia), dx);
        cx.add(ia, grad);
    }))
}
