//! Symmetric eigendecomposition: `eigensystem` and `eigenvalues`, on inputs with eigenvalues
//! pairwise at least 0.5 apart; eigenvectors through gauge-invariant functions. Regression:
//! hmatrix-backprop's `Fᵢⱼ = λⱼ − λᵢ` (`eigensystem_random_v_cotangent_regression`). At a
//! repeated eigenvalue the eigenvalues' gradient is finite and a cotangent on the vectors panics
//! with a message.

use backprop_linalg::Backend;
use backprop_linalg::StaticDim;
use backprop_linalg::{Join, Sym, eigensystem, eigenvalues, grad_bp, hvp, sum_elements};
use backprop_tests::gauge::{sandwich, squares};
use backprop_tests::gradcheck::{
    assert_entries, grad_ok, hvp_ok, jvp_ok, panic_message, real, run, sym_separated,
};
use typenum::{U2, U3, U4};

fn eigensystem_case<B: Backend, N: StaticDim>() {
    let n = N::SIZE;
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

backprop_tests::cases! {
    fn eigensystem_sym2<B: Backend>() {
        eigensystem_case::<B, U2>();
    }
    fn eigensystem_sym3<B: Backend>() {
        eigensystem_case::<B, U3>();
    }
    fn eigensystem_sym4<B: Backend>() {
        eigensystem_case::<B, U4>();
    }
    /// Regression (hmatrix-backprop uses `Fᵢⱼ = λⱼ − λᵢ`): a random cotangent reaching the
    /// eigenvectors directly, through `V∘V` (sign-invariant), with nothing on `λ`.
    fn eigensystem_random_v_cotangent_regression<B: Backend>() {
        run(sym_separated::<U3, B>(), |a| {
            grad_ok(|a| squares(eigensystem(a).split().1, |_| true), &a)
        });
    }
    /// The second order through the eigenvalues and the eigenvectors (the recorded rule's
    /// gap matrix `F`, its products and symmetrisation), and through `eigenvalues`, whose rule
    /// reads the eigenvectors as variables.
    fn eigen_second_order<B: Backend>() {
        run(sym_separated::<U3, B>(), |a| {
            hvp_ok(
                |a| {
                    let (lambda, v) = eigensystem(a).split();
                    let weighted = sandwich(v, 3) * squares(v, |j| j != 1);
                    sum_elements(lambda * lambda) * real::<B>(0.25) + sum_elements(weighted)
                },
                &a,
            )?;
            hvp_ok(|a| sum_elements(eigenvalues(a).exp()), &a)?;
            jvp_ok(
                |a| {
                    let (lambda, v) = eigensystem(a).split();
                    (lambda, squares(v, |_| true)).join()
                },
                &a,
            )
        });
    }
    fn eigenvalues_sym2<B: Backend>() {
        run(sym_separated::<U2, B>(), |a| grad_ok(eigenvalues, &a));
    }
    fn eigenvalues_sym3<B: Backend>() {
        run(sym_separated::<U3, B>(), |a| grad_ok(eigenvalues, &a));
    }
    /// At a repeated eigenvalue, the eigenvalues' gradient is finite (here `sum λ = tr A` has
    /// gradient `I`), and a cotangent on the eigenvectors panics with a message.
    fn eigensystem_repeated_eigenvalues<B: Backend>() {
        let a = Sym::<U3, B>::from_fn(|i, j| real::<B>(if i == j { 1.0 } else { 0.0 }));
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
        // The second order through the eigenvalues needs the eigenvectors' derivative: at a
        // repeated eigenvalue it panics with the same message, never returns NaN.
        let message = panic_message(|| {
            hvp(|a| sum_elements(eigenvalues(a).exp()), &a, &a);
        });
        let message = message.expect("the second-order pass panics");
        assert!(message.starts_with("eigenvalues: "), "{message}");
        assert!(message.contains("repeated eigen values"), "{message}");
    }
}
