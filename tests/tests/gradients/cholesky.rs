//! Cholesky: `chol` (upper factor `R`, `A = RᵀR`) on SPD inputs with a general cotangent
//! `R̄` (regression: hmatrix-backprop's rule is exact only for `R̄ ∝ R`), and `chol_solve`, on a
//! triangle with garbage in the ignored half and composed with `chol`; the error of a matrix that
//! is not positive definite.

use backprop_linalg::Backend;
use backprop_linalg::StaticDim;
use backprop_linalg::{
    LinalgError, Sym, Triangle, chol, chol_solve, eval_bp, sum_elements, take_diag, try_chol,
    un_sym,
};
use backprop_tests::gradcheck::{
    assert_entries, assert_fails, grad_ok, hvp_ok, jvp_ok, matrix, real, run, spd, triangular,
};
use typenum::{U1, U2, U3, U4};

fn chol_case<B: Backend, N: StaticDim>() {
    // The checker's random cotangent on `R` is a general `R̄`, the case hmatrix-backprop gets
    // wrong (its rule is exact only for `R̄ ∝ R`).
    run(spd::<N, B>(), |a| grad_ok(chol, &a));
}

fn chol_solve_case<B: Backend, N: StaticDim>() {
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

backprop_tests::cases! {
    fn chol_second_order<B: Backend>() {
        // A Gaussian log-likelihood through the factor, −½·bᵀA⁻¹b − Σ ln Rᵢᵢ: its full Hessian
        // in A and b (chol, chol_solve, take_diag, and the triangular solves, masks and
        // symmetrisation of their rules, all recorded).
        run((spd::<U3, B>(), matrix::<U3, U1, B>()), |ab| {
            hvp_ok(
                |v| {
                    let (a, b) = v.split();
                    let r = chol(a);
                    let fit = sum_elements(b * chol_solve(r, b)) * real::<B>(-0.5);
                    fit - sum_elements(take_diag(r).ln())
                },
                &ab,
            )
        });
    }
    fn chol_forward_mode<B: Backend>() {
        run(spd::<U3, B>(), |a| jvp_ok(|a| un_sym(a) + chol(a), &a));
    }
    fn chol_sym2<B: Backend>() {
        chol_case::<B, U2>();
    }
    /// Regression: hmatrix-backprop's rule is wrong for a general cotangent `R̄`.
    fn chol_random_cotangent_regression_sym3<B: Backend>() {
        chol_case::<B, U3>();
    }
    fn chol_sym4<B: Backend>() {
        chol_case::<B, U4>();
    }
    fn chol_is_upper<B: Backend>() {
        let a = Sym::<U2, B>::from_fn(|i, j| real::<B>([[4.0, 2.0], [2.0, 5.0]][i][j]));
        let r = eval_bp(chol, &a);
        assert_entries(&r.to_row_major(), &[2.0, 1.0, 0.0, 2.0]);
    }
    fn chol_not_positive_definite_error<B: Backend>() {
        let a = Sym::<U2, B>::from_fn(|i, j| real::<B>([[1.0, 2.0], [2.0, 1.0]][i][j]));
        assert_fails(
            &a,
            &LinalgError::NotPositiveDefinite { op: "chol" },
            try_chol,
            chol,
        );
    }
    fn chol_solve_2<B: Backend>() {
        chol_solve_case::<B, U2>();
    }
    fn chol_solve_3<B: Backend>() {
        chol_solve_case::<B, U3>();
    }
    fn chol_solve_4<B: Backend>() {
        chol_solve_case::<B, U4>();
    }
}
