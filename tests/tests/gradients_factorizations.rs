//! Gradient suite, factorizations, determinants, norms and statistics: every case checked on
//! every backend with the core gradient checker (random cotangents on every output, random
//! directions, central differences, rtol 1e-6; full Jacobian for small inputs).
//!
//! Inputs are built from parameters so each op is smooth around them: SPD for `chol`, separated
//! spectra and singular values for the eigen/SVD vectors and `norm_2m`, singular values in
//! `[0.5, 2]` for inverses, separated maximisers for the max-based norms. Singular and
//! eigenvectors are checked through gauge-invariant functions (`V·diag(w)·Vᵀ`, `U·Vᵀ`, `U∘U`),
//! and multi-output ops also with a cotangent on one output only. Regression tests pin each
//! rule hmatrix-backprop gets wrong; deterministic tests pin the subgradient conventions and
//! the error paths.

use backprop_linalg::{
    BVar, Backend, Join, L, LinalgError, R, Sq, Sym, backprop_with, chol, cov, det, eigensystem,
    eigenvalues, eval_bp, grad_bp, inv, invlndet, lndet, mean, mean_cov, mean_l, mul, norm_0,
    norm_1m, norm_1v, norm_2m, norm_2v, norm_inf_m, norm_inf_v, svd, svd_, tr, try_chol, try_det,
    try_eigensystem, try_eigenvalues, try_inv, try_invlndet, try_lndet, try_norm_2m, try_svd,
    try_svd_,
};
use backprop_tests::gradcheck::{
    assert_fails, grad_ok, invertible, matrix, panic_message, run, separated_matrix,
    separated_singular, separated_vector, singular, spd, sym_separated, vector, vector_with_zeros,
};
use proptest::prop_assert;
use typenum::{U2, U3, U4, U5, Unsigned};

// ----- helpers -----

/// Weights for `Q·diag(w)·Qᵀ`: distinct on the first `k` columns, one common weight on the
/// rest (so the function is invariant under rotations of the extra columns of a full SVD).
fn weights(n: usize, k: usize) -> Vec<f64> {
    (0..n)
        .map(|j| if j < k { 1.3 - 0.9 * j as f64 } else { 0.45 })
        .collect()
}

/// `Q·diag(w)·Qᵀ`, gauge-invariant (signs, and rotations among equally weighted columns).
fn sandwich<'t, N: Unsigned + 'static, B: Backend>(
    q: BVar<'t, Sq<N, B>>,
    k: usize,
) -> BVar<'t, Sq<N, B>> {
    let w = weights(N::USIZE, k);
    let d = q
        .tape()
        .constant(Sq::<N, B>::from_fn(|i, j| if i == j { w[i] } else { 0.0 }));
    mul(mul(q, d), tr(q))
}

/// `Q∘Q` on the columns `j` with `keep(j)`, zero elsewhere (sign-invariant; smooth, unlike `|Q|`,
/// which has a kink where an entry of a random orthogonal matrix crosses zero).
fn squares<'t, M: Unsigned + 'static, N: Unsigned + 'static, B: Backend>(
    q: BVar<'t, L<M, N, B>>,
    keep: impl Fn(usize) -> bool,
) -> BVar<'t, L<M, N, B>> {
    let mask = L::<M, N, B>::from_fn(|_, j| if keep(j) { 1.0 } else { 0.0 });
    q * q * mask
}

/// `U₁·V₁ᵀ = U·E·Vᵀ` with `E` the `M×N` rectangular identity (gauge-invariant).
fn u_vt<'t, M: Unsigned + 'static, N: Unsigned + 'static, B: Backend>(
    u: BVar<'t, Sq<M, B>>,
    v: BVar<'t, Sq<N, B>>,
) -> BVar<'t, L<M, N, B>> {
    let e = u
        .tape()
        .constant(L::<M, N, B>::from_fn(|i, j| if i == j { 1.0 } else { 0.0 }));
    mul(mul(u, e), tr(v))
}

/// Asserts that the gradient equals `expected` (row-major) to 1e-12.
#[track_caller]
fn assert_entries(found: &[f64], expected: &[f64]) {
    assert_eq!(found.len(), expected.len());
    for (k, (f, e)) in found.iter().zip(expected).enumerate() {
        assert!((f - e).abs() < 1e-12, "entry {k}: {f} vs {e} ({found:?})");
    }
}

/// `(∂/∂X ⟨C, Σ(X)⟩)` by central differences for a quadratic `Σ` (exact up to rounding).
fn quadratic_gradient<M: Unsigned + 'static, N: Unsigned + 'static, B: Backend>(
    x: &L<M, N, B>,
    phi: impl Fn(&L<M, N, B>) -> f64,
) -> Vec<f64> {
    let e = x.to_row_major();
    (0..e.len())
        .map(|k| {
            let at = |h: f64| {
                let mut p = e.clone();
                p[k] += h;
                phi(&L::from_row_major(&p))
            };
            (at(1e-3) - at(-1e-3)) / 2e-3
        })
        .collect()
}

/// ⟨C, S⟩ for a (possibly non-symmetric) `C`.
fn frobenius<N: Unsigned + 'static, B: Backend>(c: &Sq<N, B>, s: &Sym<N, B>) -> f64 {
    let n = N::USIZE;
    (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| c.get(i, j) * s.get(i, j))
        .sum()
}

/// A non-symmetric cotangent for a `Sym` output, as only `Sym::from_data_unchecked` can build
/// one.
fn non_symmetric<N: Unsigned + 'static, B: Backend>() -> (Sq<N, B>, Sym<N, B>) {
    let c = Sq::<N, B>::from_fn(|i, j| 0.3 + i as f64 - 1.7 * j as f64 + 0.2 * (i * j) as f64);
    let wrapped = Sym::from_data_unchecked(c.clone().into_data());
    (c, wrapped)
}

// ----- generic case bodies -----

fn svd_values_case<B: Backend, M: Unsigned + 'static, N: Unsigned + 'static>() {
    run(separated_singular::<M, N, B>(), |a| grad_ok(svd, &a));
}

/// `svd_` through gauge-invariant functions of all three outputs at once, then of each output
/// alone.
fn svd_full_case<B: Backend, M: Unsigned + 'static, N: Unsigned + 'static>() {
    let (m, n) = (M::USIZE, N::USIZE);
    let k = m.min(n);
    // `U∘U` is sign-invariant; with one extra column (fixed by the sign rule up to sign) it is
    // invariant on the whole of `U`, with more only on the first `k` columns.
    let keep_u = move |j: usize| j < k || m - k == 1;
    let keep_v = move |j: usize| j < k || n - k == 1;
    run(separated_singular::<M, N, B>(), |a| {
        grad_ok(
            |a| {
                let (u, s, v) = svd_(a).split();
                (
                    sandwich(u, k),
                    s,
                    sandwich(v, k),
                    u_vt(u, v),
                    squares(u, keep_u),
                    squares(v, keep_v),
                )
                    .join()
            },
            &a,
        )?;
        grad_ok(|a| sandwich(svd_(a).split().0, k), &a)?;
        grad_ok(|a| squares(svd_(a).split().0, keep_u), &a)?;
        grad_ok(|a| svd_(a).split().1, &a)?;
        grad_ok(|a| sandwich(svd_(a).split().2, k), &a)?;
        grad_ok(|a| squares(svd_(a).split().2, keep_v), &a)
    });
}

fn eigensystem_case<B: Backend, N: Unsigned + 'static>() {
    let n = N::USIZE;
    run(sym_separated::<N, B>(), |a| {
        grad_ok(
            |a| {
                let (lambda, v) = eigensystem(a).split();
                (lambda, sandwich(v, n), squares(v, |_| true)).join()
            },
            &a,
        )?;
        grad_ok(|a| eigensystem(a).split().0, &a)?;
        grad_ok(|a| sandwich(eigensystem(a).split().1, n), &a)
    });
}

fn chol_case<B: Backend, N: Unsigned + 'static>() {
    // The checker's random cotangent on `R` is a general `R̄`, the case hmatrix-backprop gets
    // wrong (its rule is exact only for `R̄ ∝ R`).
    run(spd::<N, B>(), |a| grad_ok(chol, &a));
}

fn cov_case<B: Backend, M: Unsigned + 'static, N: Unsigned + 'static>() {
    run(matrix::<M, N, B>(), |x| {
        grad_ok(cov, &x)?;
        grad_ok(mean_l, &x)?;
        grad_ok(mean_cov, &x)?;
        grad_ok(|x| mean_cov(x).split().0, &x)?;
        grad_ok(|x| mean_cov(x).split().1, &x)
    });
}

/// The pullback of `cov` (and `mean_cov`) with a non-symmetric cotangent `C`, against the
/// gradient of `⟨C, cov(X)⟩` by central differences (exact: `cov` is quadratic).
fn cov_non_symmetric_case<B: Backend, M: Unsigned + 'static, N: Unsigned + 'static>() {
    let x =
        L::<M, N, B>::from_fn(|i, j| ((3 * i + 5 * j) % 7) as f64 * 0.4 - 1.1 + 0.05 * j as f64);
    let (c, seed) = non_symmetric::<N, B>();
    let expected = quadratic_gradient(&x, |x| frobenius(&c, &eval_bp(cov, x)));
    let found = backprop_with(cov, &x, seed.clone()).1.to_row_major();
    for (f, e) in found.iter().zip(&expected) {
        assert!((f - e).abs() < 1e-8, "cov: {found:?} vs {expected:?}");
    }
    let mu_seed = R::<N, B>::from_fn(|j| 0.7 - j as f64);
    let found = backprop_with(mean_cov, &x, (mu_seed.clone(), seed)).1;
    let phi = |x: &L<M, N, B>| {
        let (mu, s) = eval_bp(mean_cov, x);
        frobenius(&c, &s)
            + (0..N::USIZE)
                .map(|j| mu.get(j) * mu_seed.get(j))
                .sum::<f64>()
    };
    let expected = quadratic_gradient(&x, phi);
    for (f, e) in found.to_row_major().iter().zip(&expected) {
        assert!((f - e).abs() < 1e-8, "mean_cov: {found:?} vs {expected:?}");
    }
}

/// Generic cases; each is instantiated once per backend below.
mod cases {
    use super::*;

    // ----- svd -----

    pub fn svd_3x2<B: Backend>() {
        svd_values_case::<B, U3, U2>();
    }
    pub fn svd_2x3<B: Backend>() {
        // σ is zero-padded to length 3 (hmatrix's convention); the padding is constant.
        svd_values_case::<B, U2, U3>();
    }
    pub fn svd_3x3<B: Backend>() {
        svd_values_case::<B, U3, U3>();
    }
    pub fn svd_5x2<B: Backend>() {
        svd_values_case::<B, U5, U2>();
    }
    pub fn svd_3x4<B: Backend>() {
        svd_values_case::<B, U3, U4>();
    }
    pub fn svd_pads_with_zeros<B: Backend>() {
        let a = L::<U2, U3, B>::from_row_major(&[3.0, 0.0, 0.0, 0.0, 2.0, 0.0]);
        let s = eval_bp(svd, &a).to_vec();
        assert_entries(&s, &[3.0, 2.0, 0.0]);
    }
    pub fn svd_full_3x3<B: Backend>() {
        svd_full_case::<B, U3, U3>();
    }
    pub fn svd_full_3x2<B: Backend>() {
        svd_full_case::<B, U3, U2>();
    }
    pub fn svd_full_2x3<B: Backend>() {
        svd_full_case::<B, U2, U3>();
    }
    pub fn svd_full_5x2<B: Backend>() {
        svd_full_case::<B, U5, U2>();
    }
    pub fn svd_full_3x4<B: Backend>() {
        svd_full_case::<B, U3, U4>();
    }
    /// At a repeated singular value, σ alone has a finite gradient; a cotangent on `U` makes
    /// the backward pass panic with a message (never NaN).
    pub fn svd_repeated_singular_values<B: Backend>() {
        let a = Sq::<U3, B>::from_row_major(&[2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0]);
        let g = grad_bp(|a| svd_(a).split().1, &a);
        assert_entries(
            &g.to_row_major(),
            &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        );
        let message = panic_message(|| {
            grad_bp(|a| svd_(a).split().0, &a);
        });
        let message = message.expect("the backward pass panics");
        assert!(message.starts_with("svd_: "), "{message}");
        assert!(message.contains("repeated singular values"), "{message}");
    }

    // ----- symmetric eigen -----

    pub fn eigensystem_sym2<B: Backend>() {
        eigensystem_case::<B, U2>();
    }
    pub fn eigensystem_sym3<B: Backend>() {
        eigensystem_case::<B, U3>();
    }
    pub fn eigensystem_sym4<B: Backend>() {
        eigensystem_case::<B, U4>();
    }
    /// Regression (hmatrix-backprop uses `Fᵢⱼ = λⱼ − λᵢ`): a random cotangent reaching the
    /// eigenvectors directly, through `V∘V` (sign-invariant), with nothing on `λ`.
    pub fn eigensystem_random_v_cotangent_regression<B: Backend>() {
        run(sym_separated::<U3, B>(), |a| {
            grad_ok(|a| squares(eigensystem(a).split().1, |_| true), &a)
        });
    }
    pub fn eigenvalues_sym2<B: Backend>() {
        run(sym_separated::<U2, B>(), |a| grad_ok(eigenvalues, &a));
    }
    pub fn eigenvalues_sym3<B: Backend>() {
        run(sym_separated::<U3, B>(), |a| grad_ok(eigenvalues, &a));
    }
    /// At a repeated eigenvalue, the eigenvalues' gradient is finite (here `sum λ = tr A` has
    /// gradient `I`), and a cotangent on the eigenvectors panics with a message.
    pub fn eigensystem_repeated_eigenvalues<B: Backend>() {
        let a = Sym::<U3, B>::from_fn(|i, j| if i == j { 1.0 } else { 0.0 });
        let g = grad_bp(eigenvalues, &a);
        assert_entries(
            &g.to_sq().to_row_major(),
            &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        );
        let g = grad_bp(|a| eigensystem(a).split().0, &a);
        assert_entries(
            &g.to_sq().to_row_major(),
            &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        );
        let message = panic_message(|| {
            grad_bp(|a| eigensystem(a).split().1, &a);
        });
        let message = message.expect("the backward pass panics");
        assert!(message.starts_with("eigensystem: "), "{message}");
        assert!(message.contains("repeated eigen values"), "{message}");
    }

    // ----- chol -----

    pub fn chol_sym2<B: Backend>() {
        chol_case::<B, U2>();
    }
    /// Regression: hmatrix-backprop's rule is wrong for a general cotangent `R̄`.
    pub fn chol_random_cotangent_regression_sym3<B: Backend>() {
        chol_case::<B, U3>();
    }
    pub fn chol_sym4<B: Backend>() {
        chol_case::<B, U4>();
    }
    pub fn chol_is_upper<B: Backend>() {
        let a = Sym::<U2, B>::from_fn(|i, j| [[4.0, 2.0], [2.0, 5.0]][i][j]);
        let r = eval_bp(chol, &a);
        assert_entries(&r.to_row_major(), &[2.0, 1.0, 0.0, 2.0]);
    }

    // ----- determinants and inverses -----

    pub fn det_2x2<B: Backend>() {
        run(invertible::<U2, B>(), |a| grad_ok(det, &a));
    }
    pub fn det_3x3<B: Backend>() {
        run(invertible::<U3, B>(), |a| grad_ok(det, &a));
    }
    /// Regression (hmatrix-backprop goes through `inv`): `det` of a singular matrix has the
    /// cofactor matrix as its gradient, finite and correct.
    pub fn det_singular_regression<B: Backend>() {
        run(singular::<U3, B>(), |a| grad_ok(det, &a));
        let a = Sq::<U2, B>::from_row_major(&[1.0, 2.0, 2.0, 4.0]);
        let (d, g) = backprop_linalg::backprop(det, &a);
        assert_eq!(d, 0.0);
        assert_entries(&g.to_row_major(), &[4.0, -2.0, -2.0, 1.0]);
        // Rank 2: the cofactor matrix of [[1,2,3],[4,5,6],[7,8,9]].
        let a = Sq::<U3, B>::from_row_major(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        let g = grad_bp(det, &a);
        let expected = [-3.0, 6.0, -3.0, 6.0, -12.0, 6.0, -3.0, 6.0, -3.0];
        for (f, e) in g.to_row_major().iter().zip(&expected) {
            assert!((f - e).abs() < 1e-10, "{g:?}");
        }
        // Rank 1: every cofactor is zero.
        let a = Sq::<U3, B>::from_row_major(&[1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 3.0, 6.0, 9.0]);
        let g = grad_bp(det, &a);
        assert!(g.to_row_major().iter().all(|x| x.abs() < 1e-10), "{g:?}");
    }
    pub fn lndet_3x3<B: Backend>() {
        run(invertible::<U3, B>(), |a| grad_ok(lndet, &a));
    }
    pub fn invlndet_3x3<B: Backend>() {
        run(invertible::<U3, B>(), |a| {
            grad_ok(invlndet, &a)?;
            grad_ok(|a| invlndet(a).split().0, &a)?;
            grad_ok(|a| invlndet(a).split().1.split().0, &a)
        });
    }
    pub fn invlndet_sign<B: Backend>() {
        let a = Sq::<U2, B>::from_row_major(&[0.0, 1.0, 1.0, 0.0]);
        let (_, (ln, sign)) = eval_bp(invlndet, &a);
        assert!(ln.abs() < 1e-15 && sign == -1.0);
    }
    pub fn inv_2x2<B: Backend>() {
        run(invertible::<U2, B>(), |a| grad_ok(inv, &a));
    }
    /// Regression: hmatrix-backprop tested `inv` only on SPD matrices; these are general.
    pub fn inv_general_regression_3x3<B: Backend>() {
        run(invertible::<U3, B>(), |a| grad_ok(inv, &a));
    }

    // ----- norms -----

    pub fn norm_0<B: Backend>() {
        run(separated_vector::<U4, B>(), |x| grad_ok(super::norm_0, &x));
        let x = R::<U3, B>::from_slice(&[0.0, 2.0, -1.0]);
        assert_eq!(eval_bp(super::norm_0, &x), 2.0);
    }
    pub fn norm_1v<B: Backend>() {
        run(separated_vector::<U4, B>(), |x| grad_ok(super::norm_1v, &x));
    }
    pub fn norm_1v_sign_of_zero<B: Backend>() {
        let x = R::<U3, B>::from_slice(&[0.0, 2.0, -1.0]);
        assert_entries(&grad_bp(super::norm_1v, &x).to_vec(), &[0.0, 1.0, -1.0]);
    }
    pub fn norm_2v<B: Backend>() {
        run(vector::<U4, B>(), |x| grad_ok(super::norm_2v, &x));
    }
    pub fn norm_2v_at_zero<B: Backend>() {
        let g = grad_bp(super::norm_2v, &R::<U3, B>::zeros());
        assert_entries(&g.to_vec(), &[0.0, 0.0, 0.0]);
    }
    pub fn norm_inf_v<B: Backend>() {
        run(separated_vector::<U4, B>(), |x| {
            grad_ok(super::norm_inf_v, &x)
        });
    }
    /// Regression: tied maximisers share the cotangent (hmatrix-backprop gives each the full
    /// `ȳ`).
    pub fn norm_inf_v_ties_regression<B: Backend>() {
        let x = R::<U4, B>::from_slice(&[3.0, -3.0, 1.0, 3.0]);
        let g = grad_bp(super::norm_inf_v, &x);
        let t = 1.0 / 3.0;
        assert_entries(&g.to_vec(), &[t, -t, 0.0, t]);
    }
    pub fn norm_1m_3x2<B: Backend>() {
        run(separated_matrix::<U3, U2, B>(), |a| {
            grad_ok(super::norm_1m, &a)
        });
    }
    pub fn norm_1m_3x4<B: Backend>() {
        run(separated_matrix::<U3, U4, B>(), |a| {
            grad_ok(super::norm_1m, &a)
        });
    }
    /// Regression: two columns tie for the largest absolute sum; each gets half of `ȳ`.
    pub fn norm_1m_ties_regression<B: Backend>() {
        let a = L::<U2, U3, B>::from_row_major(&[1.0, -2.0, 0.5, 2.0, 1.0, 0.0]);
        let g = grad_bp(super::norm_1m, &a);
        assert_entries(&g.to_row_major(), &[0.5, -0.5, 0.0, 0.5, 0.5, 0.0]);
    }
    pub fn norm_inf_m_3x2<B: Backend>() {
        run(separated_matrix::<U3, U2, B>(), |a| {
            grad_ok(super::norm_inf_m, &a)
        });
    }
    pub fn norm_inf_m_3x4<B: Backend>() {
        run(separated_matrix::<U3, U4, B>(), |a| {
            grad_ok(super::norm_inf_m, &a)
        });
    }
    /// Regression: two rows tie for the largest absolute sum; each gets half of `ȳ`.
    pub fn norm_inf_m_ties_regression<B: Backend>() {
        let a = L::<U3, U2, B>::from_row_major(&[1.0, -2.0, 0.5, 0.0, -2.5, 0.5]);
        let g = grad_bp(super::norm_inf_m, &a);
        assert_entries(&g.to_row_major(), &[0.5, -0.5, 0.0, 0.0, -0.5, 0.5]);
    }
    pub fn norm_2m_3x2<B: Backend>() {
        run(separated_singular::<U3, U2, B>(), |a| {
            grad_ok(super::norm_2m, &a)
        });
    }
    pub fn norm_2m_2x3<B: Backend>() {
        run(separated_singular::<U2, U3, B>(), |a| {
            grad_ok(super::norm_2m, &a)
        });
    }
    pub fn norm_2m_3x3<B: Backend>() {
        run(separated_singular::<U3, U3, B>(), |a| {
            grad_ok(super::norm_2m, &a)
        });
    }

    // ----- statistics -----

    pub fn mean<B: Backend>() {
        run(vector_with_zeros::<U4, B>(), |x| grad_ok(super::mean, &x));
    }
    /// Regression: hmatrix-backprop divides by the number of non-zero entries.
    pub fn mean_zero_entry_regression<B: Backend>() {
        let x = R::<U3, B>::from_slice(&[1.0, 0.0, 2.0]);
        let t = 1.0 / 3.0;
        assert_entries(&grad_bp(super::mean, &x).to_vec(), &[t, t, t]);
    }
    pub fn cov_3x2<B: Backend>() {
        cov_case::<B, U3, U2>();
    }
    /// Regression: hmatrix-backprop's `2/n` equals `2/(m − 1)` only at L 3 2.
    pub fn cov_5x2_regression<B: Backend>() {
        cov_case::<B, U5, U2>();
    }
    /// Regression, as `cov_5x2_regression`.
    pub fn cov_3x4_regression<B: Backend>() {
        cov_case::<B, U3, U4>();
    }
    /// Regression: a non-symmetric cotangent on the covariance (hmatrix-backprop assumes a
    /// symmetric one).
    pub fn cov_non_symmetric_cotangent_regression<B: Backend>() {
        cov_non_symmetric_case::<B, U5, U2>();
        cov_non_symmetric_case::<B, U3, U4>();
    }
    pub fn cov_sym_gradient_through_un_sym<B: Backend>() {
        // A non-symmetric consumer of the covariance, through `un_sym`.
        run((matrix::<U5, U2, B>(), matrix::<U2, U2, B>()), |xc| {
            grad_ok(
                |v| {
                    let (x, c) = v.split();
                    mul(backprop_linalg::un_sym(cov(x)), c)
                },
                &xc,
            )
        });
    }

    // ----- errors -----

    pub fn singular_inverse_errors<B: Backend>() {
        let a = Sq::<U2, B>::from_row_major(&[1.0, 2.0, 2.0, 4.0]);
        assert_fails(&a, &LinalgError::Singular { op: "inv" }, try_inv, inv);
        assert_fails(&a, &LinalgError::Singular { op: "lndet" }, try_lndet, lndet);
        assert_fails(
            &a,
            &LinalgError::Singular { op: "invlndet" },
            try_invlndet,
            invlndet,
        );
    }
    pub fn chol_not_positive_definite_error<B: Backend>() {
        let a = Sym::<U2, B>::from_fn(|i, j| [[1.0, 2.0], [2.0, 1.0]][i][j]);
        assert_fails(
            &a,
            &LinalgError::NotPositiveDefinite { op: "chol" },
            try_chol,
            chol,
        );
    }
    pub fn nan_input_errors<B: Backend>() {
        let a = Sq::<U2, B>::from_row_major(&[1.0, f64::NAN, 0.0, 1.0]);
        let s = Sym::<U2, B>::from_fn(|i, j| if i == j { f64::NAN } else { 0.0 });
        let nan = |op| LinalgError::NonFinite { op };
        assert_fails(&a, &nan("inv"), try_inv, inv);
        assert_fails(&a, &nan("det"), try_det, det);
        assert_fails(&a, &nan("lndet"), try_lndet, lndet);
        assert_fails(&a, &nan("invlndet"), try_invlndet, invlndet);
        assert_fails(&a, &nan("svd"), try_svd, svd);
        assert_fails(&a, &nan("svd_"), try_svd_, svd_);
        assert_fails(&a, &nan("norm_2m"), try_norm_2m, super::norm_2m);
        assert_fails(&s, &nan("eigensystem"), try_eigensystem, eigensystem);
        assert_fails(&s, &nan("eigenvalues"), try_eigenvalues, eigenvalues);
        assert_fails(&s, &nan("chol"), try_chol, chol);
    }
    pub fn sym_gradients_are_symmetric<B: Backend>() {
        fn symmetric<N: Unsigned + 'static, B: Backend>(g: &Sym<N, B>) -> bool {
            let t = g.to_sq();
            (0..N::USIZE).all(|i| (0..N::USIZE).all(|j| (t.get(i, j) - t.get(j, i)).abs() < 1e-12))
        }
        let c = Sq::<U3, B>::from_fn(|i, j| 1.0 + i as f64 - 2.0 * j as f64);
        run(spd::<U3, B>(), |a| {
            let g = grad_bp(|a| mul(chol(a), a.tape().constant(c.clone())), &a);
            prop_assert!(symmetric(&g), "{g:?}");
            Ok(())
        });
        run(sym_separated::<U3, B>(), |a| {
            let g = grad_bp(
                |a| mul(eigensystem(a).split().1, a.tape().constant(c.clone())),
                &a,
            );
            prop_assert!(symmetric(&g), "{g:?}");
            Ok(())
        });
    }
}

backprop_tests::per_backend!(
    svd_3x2,
    svd_2x3,
    svd_3x3,
    svd_5x2,
    svd_3x4,
    svd_pads_with_zeros,
    svd_full_3x3,
    svd_full_3x2,
    svd_full_2x3,
    svd_full_5x2,
    svd_full_3x4,
    svd_repeated_singular_values,
    eigensystem_sym2,
    eigensystem_sym3,
    eigensystem_sym4,
    eigensystem_random_v_cotangent_regression,
    eigenvalues_sym2,
    eigenvalues_sym3,
    eigensystem_repeated_eigenvalues,
    chol_sym2,
    chol_random_cotangent_regression_sym3,
    chol_sym4,
    chol_is_upper,
    det_2x2,
    det_3x3,
    det_singular_regression,
    lndet_3x3,
    invlndet_3x3,
    invlndet_sign,
    inv_2x2,
    inv_general_regression_3x3,
    norm_0,
    norm_1v,
    norm_1v_sign_of_zero,
    norm_2v,
    norm_2v_at_zero,
    norm_inf_v,
    norm_inf_v_ties_regression,
    norm_1m_3x2,
    norm_1m_3x4,
    norm_1m_ties_regression,
    norm_inf_m_3x2,
    norm_inf_m_3x4,
    norm_inf_m_ties_regression,
    norm_2m_3x2,
    norm_2m_2x3,
    norm_2m_3x3,
    mean,
    mean_zero_entry_regression,
    cov_3x2,
    cov_5x2_regression,
    cov_3x4_regression,
    cov_non_symmetric_cotangent_regression,
    cov_sym_gradient_through_un_sym,
    singular_inverse_errors,
    chol_not_positive_definite_error,
    nan_input_errors,
    sym_gradients_are_symmetric,
);
