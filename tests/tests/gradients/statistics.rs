//! Statistics: `mean`, `mean_l`, `cov`, `mean_cov`. Regressions for what hmatrix-backprop gets
//! wrong: `mean` divides by `n`, not by the number of non-zero entries; `cov`'s gradient is
//! `Xc·(Σ̄ + Σ̄ᵀ)/(m − 1)` (its `2/n` equals that only at L 3 2, and assumes a symmetric `Σ̄`),
//! checked against central differences of `⟨C, cov(X)⟩` (exact: `cov` is quadratic).

use backprop_linalg::Backend;
use backprop_linalg::StaticDim;
use backprop_linalg::{
    L, R, Sq, Sym, backprop_with, cov, eval_bp, grad_bp, mean, mean_cov, mean_l, mul,
};
use backprop_tests::Double;
use backprop_tests::gradcheck::{
    assert_entries, grad_ok, hvp_ok, matrix, run, rv, vector, vector_with_zeros,
};
use typenum::{U2, U3, U4, U5};

/// `(∂/∂X ⟨C, Σ(X)⟩)` by central differences for a quadratic `Σ` (exact up to rounding).
fn quadratic_gradient<M: StaticDim, N: StaticDim, B: Double>(
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
fn frobenius<N: StaticDim, B: Double>(c: &Sq<N, B>, s: &Sym<N, B>) -> f64 {
    let n = N::SIZE;
    (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| c.get(i, j) * s.get(i, j))
        .sum()
}

/// A non-symmetric cotangent for a `Sym` output, as only `Sym::from_data_unchecked` can build one.
fn non_symmetric<N: StaticDim, B: Double>() -> (Sq<N, B>, Sym<N, B>) {
    let c = Sq::<N, B>::from_fn(|i, j| 0.3 + i as f64 - 1.7 * j as f64 + 0.2 * (i * j) as f64);
    let wrapped = Sym::from_data_unchecked(c.clone().into_data());
    (c, wrapped)
}

fn cov_case<B: Backend, M: StaticDim, N: StaticDim>() {
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
fn cov_non_symmetric_case<B: Double, M: StaticDim, N: StaticDim>() {
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
            + (0..N::SIZE)
                .map(|j| mu.get(j) * mu_seed.get(j))
                .sum::<f64>()
    };
    let expected = quadratic_gradient(&x, phi);
    for (f, e) in found.to_row_major().iter().zip(&expected) {
        assert!((f - e).abs() < 1e-8, "mean_cov: {found:?} vs {expected:?}");
    }
}

backprop_tests::cases! {
    fn statistics_second_order<B: Backend>() {
        // mean, mean_l, cov and mean_cov, each inside a curved scalar: their full Hessians.
        run(vector::<U4, B>(), |x| {
            hvp_ok(|x| (backprop_linalg::mean(x) * backprop_linalg::mean(x)).sin(), &x)
        });
        run(matrix::<U4, U2, B>(), |x| {
            hvp_ok(
                |x| {
                    let (mu, sigma) = backprop_linalg::mean_cov(x).split();
                    let s = backprop_linalg::sum_elements(backprop_linalg::un_sym(backprop_linalg::cov(x)).sin());
                    backprop_linalg::dot(backprop_linalg::mean_l(x), mu.cos())
                        + backprop_linalg::sum_elements(backprop_linalg::un_sym(sigma))
                        + s
                },
                &x,
            )
        });
    }
    fn mean<B: Backend>() {
        run(vector_with_zeros::<U4, B>(), |x| grad_ok(super::mean, &x));
    }
    /// Regression: hmatrix-backprop divides by the number of non-zero entries.
    fn mean_zero_entry_regression<B: Backend>() {
        let x = rv::<U3, B>(&[1.0, 0.0, 2.0]);
        let t = 1.0 / 3.0;
        assert_entries(&grad_bp(super::mean, &x).to_vec(), &[t, t, t]);
    }
    fn cov_3x2<B: Backend>() {
        cov_case::<B, U3, U2>();
    }
    /// Regression: hmatrix-backprop's `2/n` equals `2/(m − 1)` only at L 3 2.
    fn cov_5x2_regression<B: Backend>() {
        cov_case::<B, U5, U2>();
    }
    /// Regression, as `cov_5x2_regression`.
    fn cov_3x4_regression<B: Backend>() {
        cov_case::<B, U3, U4>();
    }
    /// Regression: a non-symmetric cotangent on the covariance (hmatrix-backprop assumes a
    /// symmetric one).
    fn cov_non_symmetric_cotangent_regression<B: Double>() {
        cov_non_symmetric_case::<B, U5, U2>();
        cov_non_symmetric_case::<B, U3, U4>();
    }
    fn cov_sym_gradient_through_un_sym<B: Backend>() {
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
}
