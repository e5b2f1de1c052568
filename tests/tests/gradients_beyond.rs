//! Gradient suite, beyond hmatrix-backprop: square, triangular and Cholesky solves, least
//! squares, the pseudo-inverse, trace, slogdet, QR, thin SVDs, `expm` and `sqrtm`, every case
//! checked on every backend with the core gradient checker (random cotangents on every output,
//! random directions, central differences, rtol 1e-6; full Jacobian for small inputs).
//!
//! Inputs are built from parameters so each op is smooth around them: singular values in
//! `[0.5, 2]` (or separated, ≥ 0.5) for solves, QR, least squares and SVDs, well-conditioned
//! triangles (with garbage in the ignored triangle), `‖A‖ ≤ 2` for `expm` (non-normal included),
//! `P·D·P⁻¹` with `cond(P) ≤ 10` and `Re λ ∈ [0.5, 3]` for `sqrtm`. Singular vectors are checked
//! through gauge-invariant functions; multi-output ops also with a cotangent on one output
//! only. Deterministic tests pin values and every error path.

use backprop_linalg::{
    BVar, Backend, Join, L, LinalgError, R, Sq, Triangle, chol, chol_solve, eval_bp, expm, grad_bp,
    lin_solve, lin_solve_v, lstsq, mul, pinv, qr, slogdet, sqrtm, svd_flat, svd_tall, tr, trace,
    triangular_solve, try_chol_solve, try_expm, try_lin_solve, try_lin_solve_v, try_lstsq,
    try_pinv, try_qr, try_slogdet, try_sqrtm, try_svd_flat, try_svd_tall, try_triangular_solve,
};
use backprop_tests::gradcheck::{
    assert_fails, grad_ok, invertible, matrix, panic_message, principal_root_input, run,
    separated_singular, small_norm, spd, triangular, vector,
};
use typenum::{IsLessOrEqual, True, U1, U2, U3, U4, U5, Unsigned};

// ----- helpers -----

/// `Q·diag(w)·Qᵀ` for a `M×K` matrix with orthonormal columns and distinct weights `w`:
/// invariant under the sign gauge of each column.
fn sandwich<'t, M: Unsigned + 'static, K: Unsigned + 'static, B: Backend>(
    q: BVar<'t, L<M, K, B>>,
) -> BVar<'t, Sq<M, B>> {
    let d = q.tape().constant(Sq::<K, B>::from_fn(|i, j| {
        if i == j { 1.3 - 0.7 * i as f64 } else { 0.0 }
    }));
    mul(mul(q, d), tr(q))
}

/// `Q∘Q`, sign-invariant and smooth.
fn squares<'t, M: Unsigned + 'static, K: Unsigned + 'static, B: Backend>(
    q: BVar<'t, L<M, K, B>>,
) -> BVar<'t, L<M, K, B>> {
    q * q
}

/// Asserts `|found − expected| ≤ tol` entry-wise.
#[track_caller]
fn assert_close(found: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(found.len(), expected.len());
    for (k, (f, e)) in found.iter().zip(expected).enumerate() {
        assert!((f - e).abs() <= tol, "entry {k}: {f} vs {e} ({found:?})");
    }
}

/// Naive row-major product of `a` (`m×k`) and `b` (`k×n`).
fn naive_mul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    (0..m * n)
        .map(|ij| (0..k).map(|l| a[ij / n * k + l] * b[l * n + ij % n]).sum())
        .collect()
}

// ----- generic case bodies -----

fn lin_solve_case<B: Backend, N: Unsigned + 'static, K: Unsigned + 'static>() {
    run((invertible::<N, B>(), matrix::<N, K, B>()), |ab| {
        grad_ok(
            |v| {
                let (a, b) = v.split();
                lin_solve(a, b)
            },
            &ab,
        )
    });
}

fn triangular_solve_case<B: Backend, N: Unsigned + 'static>(tri: Triangle) {
    run((triangular::<N, B>(tri), matrix::<N, U2, B>()), |ab| {
        grad_ok(
            |v| {
                let (a, b) = v.split();
                triangular_solve(a, b, tri)
            },
            &ab,
        )
    });
}

fn chol_solve_case<B: Backend, N: Unsigned + 'static>() {
    // `R` with garbage below the diagonal, which `chol_solve` ignores.
    run(
        (triangular::<N, B>(Triangle::Upper), matrix::<N, U2, B>()),
        |rb| {
            grad_ok(
                |v| {
                    let (r, b) = v.split();
                    chol_solve(r, b)
                },
                &rb,
            )
        },
    );
    // Composed with `chol`, from the symmetric matrix itself.
    run((spd::<N, B>(), matrix::<N, U2, B>()), |ab| {
        grad_ok(
            |v| {
                let (a, b) = v.split();
                chol_solve(chol(a), b)
            },
            &ab,
        )
    });
}

fn qr_case<B, M, N>()
where
    B: Backend,
    M: Unsigned + 'static,
    N: Unsigned + IsLessOrEqual<M, Output = True> + 'static,
{
    run(separated_singular::<M, N, B>(), |a| {
        grad_ok(qr, &a)?;
        grad_ok(|a| qr(a).split().0, &a)?;
        grad_ok(|a| qr(a).split().1, &a)
    });
}

fn lstsq_case<B, M, N>()
where
    B: Backend,
    M: Unsigned + 'static,
    N: Unsigned + IsLessOrEqual<M, Output = True> + 'static,
{
    run(
        (separated_singular::<M, N, B>(), matrix::<M, U2, B>()),
        |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    lstsq(a, b)
                },
                &ab,
            )
        },
    );
}

fn pinv_case<B: Backend, M: Unsigned + 'static, N: Unsigned + 'static>() {
    run(separated_singular::<M, N, B>(), |a| grad_ok(pinv, &a));
}

/// `svd_tall` through gauge-invariant functions of all outputs at once, then of `U` alone (the
/// side with the projector term) and of `σ` alone.
fn svd_tall_case<B, M, N>()
where
    B: Backend,
    M: Unsigned + 'static,
    N: Unsigned + IsLessOrEqual<M, Output = True> + 'static,
{
    run(separated_singular::<M, N, B>(), |a| {
        grad_ok(
            |a| {
                let (u, s, v) = svd_tall(a).split();
                (sandwich(u), s, sandwich(v), mul(u, tr(v)), squares(u)).join()
            },
            &a,
        )?;
        grad_ok(|a| squares(svd_tall(a).split().0), &a)?;
        grad_ok(|a| svd_tall(a).split().1, &a)
    });
}

/// As `svd_tall_case`, for `svd_flat` (whose projector term is on the `V` side).
fn svd_flat_case<B, M, N>()
where
    B: Backend,
    M: Unsigned + IsLessOrEqual<N, Output = True> + 'static,
    N: Unsigned + 'static,
{
    run(separated_singular::<M, N, B>(), |a| {
        grad_ok(
            |a| {
                let (u, s, v) = svd_flat(a).split();
                (sandwich(u), s, sandwich(v), mul(u, tr(v)), squares(v)).join()
            },
            &a,
        )?;
        grad_ok(|a| svd_flat(a).split().1, &a)?;
        grad_ok(|a| squares(svd_flat(a).split().2), &a)
    });
}

fn expm_case<B: Backend, N: Unsigned + 'static>() {
    run(small_norm::<N, B>(false), |a| grad_ok(expm, &a));
    run(small_norm::<N, B>(true), |a| grad_ok(expm, &a));
}

fn sqrtm_case<B: Backend, N: Unsigned + 'static>() {
    run(principal_root_input::<N, B>(), |a| grad_ok(sqrtm, &a));
}

/// Generic cases; each is instantiated once per backend below.
mod cases {
    use super::*;

    // ----- lin_solve -----

    pub fn lin_solve_2x2<B: Backend>() {
        lin_solve_case::<B, U2, U3>();
    }
    pub fn lin_solve_3x3<B: Backend>() {
        lin_solve_case::<B, U3, U2>();
    }
    pub fn lin_solve_4x4<B: Backend>() {
        lin_solve_case::<B, U4, U1>();
    }
    pub fn lin_solve_v_3<B: Backend>() {
        run((invertible::<U3, B>(), vector::<U3, B>()), |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    lin_solve_v(a, b)
                },
                &ab,
            )
        });
    }
    pub fn lin_solve_value<B: Backend>() {
        let a = Sq::<U2, B>::from_row_major(&[2.0, 1.0, 1.0, 3.0]);
        let b = R::<U2, B>::from_slice(&[3.0, 5.0]);
        let x = backprop_linalg::eval_bp2(lin_solve_v, &a, &b);
        assert_close(&x.to_vec(), &[0.8, 1.4], 1e-14);
    }

    // ----- trace, slogdet -----

    pub fn trace_3x3<B: Backend>() {
        run(matrix::<U3, U3, B>(), |a| grad_ok(trace, &a));
    }
    pub fn trace_value<B: Backend>() {
        let a = Sq::<U2, B>::from_row_major(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(eval_bp(trace, &a), 5.0);
        assert_close(
            &grad_bp(trace, &a).to_row_major(),
            &[1.0, 0.0, 0.0, 1.0],
            0.0,
        );
    }
    pub fn slogdet_2x2<B: Backend>() {
        run(invertible::<U2, B>(), |a| grad_ok(slogdet, &a));
    }
    pub fn slogdet_3x3<B: Backend>() {
        run(invertible::<U3, B>(), |a| {
            grad_ok(slogdet, &a)?;
            grad_ok(|a| slogdet(a).split().0, &a)
        });
    }
    pub fn slogdet_4x4<B: Backend>() {
        run(invertible::<U4, B>(), |a| grad_ok(slogdet, &a));
    }
    pub fn slogdet_value<B: Backend>() {
        let a = Sq::<U2, B>::from_row_major(&[0.0, 2.0, 3.0, 0.0]);
        let (ln, sign) = eval_bp(slogdet, &a);
        assert!((ln - 6f64.ln()).abs() < 1e-14 && sign == -1.0);
    }

    // ----- triangular and Cholesky solves -----

    pub fn triangular_solve_lower_2<B: Backend>() {
        triangular_solve_case::<B, U2>(Triangle::Lower);
    }
    pub fn triangular_solve_lower_3<B: Backend>() {
        triangular_solve_case::<B, U3>(Triangle::Lower);
    }
    pub fn triangular_solve_upper_3<B: Backend>() {
        triangular_solve_case::<B, U3>(Triangle::Upper);
    }
    pub fn triangular_solve_upper_4<B: Backend>() {
        triangular_solve_case::<B, U4>(Triangle::Upper);
    }
    /// The ignored triangle gets an exactly zero gradient.
    pub fn triangular_solve_ignores_other_triangle<B: Backend>() {
        let a = Sq::<U2, B>::from_row_major(&[2.0, 7.0, 1.0, 4.0]);
        let b = L::<U2, U1, B>::from_row_major(&[2.0, 9.0]);
        let (ga, _) = backprop_linalg::grad_bp2(
            |a, b| backprop_linalg::sum_elements(triangular_solve(a, b, Triangle::Lower)),
            &a,
            &b,
        );
        assert_eq!(ga.get(0, 1), 0.0);
        let x = backprop_linalg::eval_bp2(|a, b| triangular_solve(a, b, Triangle::Lower), &a, &b);
        assert_close(&x.to_row_major(), &[1.0, 2.0], 1e-15);
    }
    pub fn chol_solve_2<B: Backend>() {
        chol_solve_case::<B, U2>();
    }
    pub fn chol_solve_3<B: Backend>() {
        chol_solve_case::<B, U3>();
    }
    pub fn chol_solve_4<B: Backend>() {
        chol_solve_case::<B, U4>();
    }

    // ----- QR -----

    pub fn qr_2x2<B: Backend>() {
        qr_case::<B, U2, U2>();
    }
    pub fn qr_3x3<B: Backend>() {
        qr_case::<B, U3, U3>();
    }
    pub fn qr_4x4<B: Backend>() {
        qr_case::<B, U4, U4>();
    }
    pub fn qr_3x2<B: Backend>() {
        qr_case::<B, U3, U2>();
    }
    pub fn qr_5x2<B: Backend>() {
        qr_case::<B, U5, U2>();
    }
    pub fn qr_4x3<B: Backend>() {
        qr_case::<B, U4, U3>();
    }
    pub fn qr_value<B: Backend>() {
        let a = L::<U3, U2, B>::from_row_major(&[3.0, 1.0, 0.0, 2.0, 4.0, 3.0]);
        let (q, r) = eval_bp(qr, &a);
        let (q, r) = (q.to_row_major(), r.to_row_major());
        assert_close(&naive_mul(&q, &r, 3, 2, 2), &a.to_row_major(), 1e-14);
        assert_close(&[r[0], r[2]], &[5.0, 0.0], 1e-14);
        assert!(r[3] > 0.0);
    }

    // ----- least squares, pinv -----

    pub fn lstsq_3x2<B: Backend>() {
        lstsq_case::<B, U3, U2>();
    }
    pub fn lstsq_5x2<B: Backend>() {
        lstsq_case::<B, U5, U2>();
    }
    pub fn lstsq_4x3<B: Backend>() {
        lstsq_case::<B, U4, U3>();
    }
    pub fn lstsq_3x3<B: Backend>() {
        lstsq_case::<B, U3, U3>();
    }
    /// The residual is orthogonal to the columns of `A`: `Aᵀ(B − AX) = 0`.
    pub fn lstsq_normal_equations<B: Backend>() {
        let a = L::<U3, U2, B>::from_row_major(&[1.0, 0.0, 1.0, 1.0, 1.0, 2.0]);
        let b = L::<U3, U1, B>::from_row_major(&[6.0, 0.0, 0.0]);
        let x = backprop_linalg::eval_bp2(lstsq, &a, &b).to_row_major();
        let ax = naive_mul(&a.to_row_major(), &x, 3, 2, 1);
        let e: Vec<f64> = b
            .to_row_major()
            .iter()
            .zip(&ax)
            .map(|(b, p)| b - p)
            .collect();
        let at: Vec<f64> = (0..6).map(|k| a.get(k % 3, k / 3)).collect();
        assert_close(&naive_mul(&at, &e, 2, 3, 1), &[0.0, 0.0], 1e-13);
        assert_close(&x, &[5.0, -3.0], 1e-13);
    }
    pub fn pinv_3x2<B: Backend>() {
        pinv_case::<B, U3, U2>();
    }
    pub fn pinv_5x2<B: Backend>() {
        pinv_case::<B, U5, U2>();
    }
    pub fn pinv_4x3<B: Backend>() {
        pinv_case::<B, U4, U3>();
    }
    pub fn pinv_2x3<B: Backend>() {
        pinv_case::<B, U2, U3>();
    }
    pub fn pinv_3x3<B: Backend>() {
        pinv_case::<B, U3, U3>();
    }

    // ----- thin SVDs -----

    pub fn svd_tall_3x2<B: Backend>() {
        svd_tall_case::<B, U3, U2>();
    }
    pub fn svd_tall_5x2<B: Backend>() {
        svd_tall_case::<B, U5, U2>();
    }
    pub fn svd_tall_4x3<B: Backend>() {
        svd_tall_case::<B, U4, U3>();
    }
    pub fn svd_tall_3x3<B: Backend>() {
        svd_tall_case::<B, U3, U3>();
    }
    pub fn svd_flat_2x3<B: Backend>() {
        svd_flat_case::<B, U2, U3>();
    }
    pub fn svd_flat_2x5<B: Backend>() {
        svd_flat_case::<B, U2, U5>();
    }
    pub fn svd_flat_3x4<B: Backend>() {
        svd_flat_case::<B, U3, U4>();
    }
    /// At a repeated singular value, σ alone has a finite gradient; a cotangent on `U` makes
    /// the backward pass panic with a message naming the op (never NaN).
    pub fn svd_tall_repeated_singular_values<B: Backend>() {
        let a = L::<U3, U2, B>::from_row_major(&[2.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        let g = grad_bp(|a| svd_tall(a).split().1, &a);
        assert_close(&g.to_row_major(), &[1.0, 0.0, 0.0, 1.0, 0.0, 0.0], 1e-12);
        let message = panic_message(|| {
            grad_bp(|a| squares(svd_tall(a).split().0), &a);
        })
        .expect("the backward pass panics");
        assert!(message.starts_with("svd_tall: "), "{message}");
        assert!(message.contains("repeated singular values"), "{message}");
    }

    // ----- matrix functions -----

    pub fn expm_2x2<B: Backend>() {
        expm_case::<B, U2>();
    }
    pub fn expm_3x3<B: Backend>() {
        expm_case::<B, U3>();
    }
    pub fn expm_4x4<B: Backend>() {
        expm_case::<B, U4>();
    }
    pub fn expm_values<B: Backend>() {
        // Nilpotent: exp(N) = I + N.
        let n = Sq::<U2, B>::from_row_major(&[0.0, 1.0, 0.0, 0.0]);
        assert_close(
            &eval_bp(expm, &n).to_row_major(),
            &[1.0, 1.0, 0.0, 1.0],
            1e-15,
        );
        // A rotation generator of norm 10, past θ₁₃: scaling and squaring is exercised.
        let t = 10.0f64;
        let a = Sq::<U2, B>::from_row_major(&[0.0, t, -t, 0.0]);
        let (c, s) = (t.cos(), t.sin());
        assert_close(&eval_bp(expm, &a).to_row_major(), &[c, s, -s, c], 1e-13);
        // ∂ tr(exp(A))/∂A = exp(A)ᵀ, since tr L(A, E) = tr(exp(A)·E).
        let g = grad_bp(|a| trace(expm(a)), &a).to_row_major();
        assert_close(&g, &[c, -s, s, c], 1e-12);
    }
    pub fn sqrtm_2x2<B: Backend>() {
        sqrtm_case::<B, U2>();
    }
    pub fn sqrtm_3x3<B: Backend>() {
        sqrtm_case::<B, U3>();
    }
    pub fn sqrtm_4x4<B: Backend>() {
        sqrtm_case::<B, U4>();
    }
    pub fn sqrtm_values<B: Backend>() {
        let a = Sq::<U2, B>::from_row_major(&[4.0, 1.0, 0.0, 9.0]);
        assert_close(
            &eval_bp(sqrtm, &a).to_row_major(),
            &[2.0, 0.2, 0.0, 3.0],
            1e-14,
        );
        // Complex eigenvalues 1 ± i: the principal root is real.
        let a = Sq::<U2, B>::from_row_major(&[1.0, -1.0, 1.0, 1.0]);
        let y = eval_bp(sqrtm, &a).to_row_major();
        assert_close(&naive_mul(&y, &y, 2, 2, 2), &a.to_row_major(), 1e-14);
        assert!(y[0] + y[3] > 0.0);
    }

    // ----- errors -----

    pub fn singular_solve_errors<B: Backend>() {
        let singular = Sq::<U2, B>::from_row_major(&[1.0, 2.0, 2.0, 4.0]);
        let b = L::<U2, U1, B>::from_row_major(&[1.0, 1.0]);
        let ab = (singular.clone(), b.clone());
        let e = LinalgError::Singular { op: "lin_solve" };
        assert_fails(
            &ab,
            &e,
            |v| try_lin_solve(v.split().0, v.split().1),
            |v| lin_solve(v.split().0, v.split().1),
        );
        let abv = (singular.clone(), R::<U2, B>::from_slice(&[1.0, 1.0]));
        assert_fails(
            &abv,
            &e,
            |v| try_lin_solve_v(v.split().0, v.split().1),
            |v| lin_solve_v(v.split().0, v.split().1),
        );
        let e = LinalgError::Singular { op: "slogdet" };
        assert_fails(&singular, &e, try_slogdet, slogdet);
        let zero_diag = Sq::<U2, B>::from_row_major(&[1.0, 5.0, 3.0, 0.0]);
        let tb = (zero_diag, b);
        let e = LinalgError::Singular {
            op: "triangular_solve",
        };
        let lower = Triangle::Lower;
        assert_fails(
            &tb,
            &e,
            |v| try_triangular_solve(v.split().0, v.split().1, lower),
            |v| triangular_solve(v.split().0, v.split().1, lower),
        );
        let e = LinalgError::Singular { op: "chol_solve" };
        assert_fails(
            &tb,
            &e,
            |v| try_chol_solve(v.split().0, v.split().1),
            |v| chol_solve(v.split().0, v.split().1),
        );
    }
    pub fn rank_deficient_errors<B: Backend>() {
        let a = L::<U3, U2, B>::from_row_major(&[1.0, 2.0, 2.0, 4.0, 3.0, 6.0]);
        assert_fails(&a, &LinalgError::Singular { op: "qr" }, try_qr, qr);
        assert_fails(&a, &LinalgError::Singular { op: "pinv" }, try_pinv, pinv);
        let ab = (a, L::<U3, U1, B>::from_row_major(&[1.0, 0.0, 1.0]));
        assert_fails(
            &ab,
            &LinalgError::Singular { op: "lstsq" },
            |v| try_lstsq(v.split().0, v.split().1),
            |v| lstsq(v.split().0, v.split().1),
        );
    }
    /// A negative eigenvalue: no principal real square root, the iteration does not converge.
    /// A zero eigenvalue: singular. Complex eigenvalues of negative real part are fine.
    pub fn sqrtm_without_principal_root_errors<B: Backend>() {
        let negative = Sq::<U2, B>::from_row_major(&[-1.0, 0.0, 0.0, 2.0]);
        let e = LinalgError::NoConvergence { op: "sqrtm" };
        assert_fails(&negative, &e, try_sqrtm, sqrtm);
        // Eigenvalues −1 ± i/2: off the negative real axis, so the principal root exists.
        let spiral = Sq::<U2, B>::from_row_major(&[-1.0, 0.5, -0.5, -1.0]);
        let y = eval_bp(sqrtm, &spiral).to_row_major();
        assert_close(&naive_mul(&y, &y, 2, 2, 2), &spiral.to_row_major(), 1e-13);
        let singular = Sq::<U2, B>::from_row_major(&[0.0, 0.0, 0.0, 1.0]);
        let e = LinalgError::Singular { op: "sqrtm" };
        assert_fails(&singular, &e, try_sqrtm, sqrtm);
    }
    pub fn nan_input_errors<B: Backend>() {
        let nan = |op| LinalgError::NonFinite { op };
        let a = Sq::<U2, B>::from_row_major(&[1.0, f64::NAN, 0.0, 1.0]);
        let tall = L::<U3, U2, B>::from_row_major(&[1.0, 0.0, f64::NAN, 1.0, 0.0, 0.0]);
        let b = L::<U2, U1, B>::from_row_major(&[1.0, 1.0]);
        let b_nan = L::<U2, U1, B>::from_row_major(&[f64::NAN, 1.0]);
        for ab in [(a.clone(), b.clone()), (Sq::eye(), b_nan.clone())] {
            assert_fails(
                &ab,
                &nan("lin_solve"),
                |v| try_lin_solve(v.split().0, v.split().1),
                |v| lin_solve(v.split().0, v.split().1),
            );
        }
        // `a`'s NaN is above the diagonal: read by an upper solve, ignored by a lower one.
        let upper = Triangle::Upper;
        for ab in [(a.clone(), b.clone()), (Sq::eye(), b_nan.clone())] {
            assert_fails(
                &ab,
                &nan("triangular_solve"),
                |v| try_triangular_solve(v.split().0, v.split().1, upper),
                |v| triangular_solve(v.split().0, v.split().1, upper),
            );
            assert_fails(
                &ab,
                &nan("chol_solve"),
                |v| try_chol_solve(v.split().0, v.split().1),
                |v| chol_solve(v.split().0, v.split().1),
            );
        }
        let lower = lower_solve_values(&a, &b);
        assert!(lower.iter().all(|x| x.is_finite()));
        assert_fails(&a, &nan("slogdet"), try_slogdet, slogdet);
        assert_fails(&a, &nan("expm"), try_expm, expm);
        assert_fails(&a, &nan("sqrtm"), try_sqrtm, sqrtm);
        assert_fails(&tall, &nan("qr"), try_qr, qr);
        assert_fails(&tall, &nan("pinv"), try_pinv, pinv);
        assert_fails(&tall, &nan("svd_tall"), try_svd_tall, svd_tall);
        let wide = L::<U2, U3, B>::from_row_major(&[1.0, 0.0, f64::NAN, 1.0, 0.0, 0.0]);
        assert_fails(&wide, &nan("svd_flat"), try_svd_flat, svd_flat);
        let good = L::<U3, U2, B>::from_row_major(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
        let b3_nan = L::<U3, U1, B>::from_row_major(&[1.0, f64::NAN, 0.0]);
        let b3 = L::<U3, U1, B>::from_row_major(&[1.0, 0.0, 0.0]);
        for ab in [(tall.clone(), b3), (good, b3_nan)] {
            assert_fails(
                &ab,
                &nan("lstsq"),
                |v| try_lstsq(v.split().0, v.split().1),
                |v| lstsq(v.split().0, v.split().1),
            );
        }
    }
}

/// The solution of a lower triangular solve.
fn lower_solve_values<B: Backend>(a: &Sq<U2, B>, b: &L<U2, U1, B>) -> Vec<f64> {
    backprop_linalg::eval_bp2(|a, b| triangular_solve(a, b, Triangle::Lower), a, b).to_row_major()
}

backprop_tests::per_backend!(
    lin_solve_2x2,
    lin_solve_3x3,
    lin_solve_4x4,
    lin_solve_v_3,
    lin_solve_value,
    trace_3x3,
    trace_value,
    slogdet_2x2,
    slogdet_3x3,
    slogdet_4x4,
    slogdet_value,
    triangular_solve_lower_2,
    triangular_solve_lower_3,
    triangular_solve_upper_3,
    triangular_solve_upper_4,
    triangular_solve_ignores_other_triangle,
    chol_solve_2,
    chol_solve_3,
    chol_solve_4,
    qr_2x2,
    qr_3x3,
    qr_4x4,
    qr_3x2,
    qr_5x2,
    qr_4x3,
    qr_value,
    lstsq_3x2,
    lstsq_5x2,
    lstsq_4x3,
    lstsq_3x3,
    lstsq_normal_equations,
    pinv_3x2,
    pinv_5x2,
    pinv_4x3,
    pinv_2x3,
    pinv_3x3,
    svd_tall_3x2,
    svd_tall_5x2,
    svd_tall_4x3,
    svd_tall_3x3,
    svd_flat_2x3,
    svd_flat_2x5,
    svd_flat_3x4,
    svd_tall_repeated_singular_values,
    expm_2x2,
    expm_3x3,
    expm_4x4,
    expm_values,
    sqrtm_2x2,
    sqrtm_3x3,
    sqrtm_4x4,
    sqrtm_values,
    singular_solve_errors,
    rank_deficient_errors,
    sqrtm_without_principal_root_errors,
    nan_input_errors,
);
