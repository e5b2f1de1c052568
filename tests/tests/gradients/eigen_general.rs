//! Eigendecomposition of general real matrices: `eig` and `eigenvalues_general` (real input,
//! complex output) on `P·D·P⁻¹` with simple eigenvalues, real and complex pairs
//! (`eig_input`). Eigenvectors are defined up to a phase each, so they are checked through
//! phase-invariant functions (moduli `|vₖ|²`, quadratic forms `vᴴ·Q·v`); a cotangent that
//! depends on the phase, and one on the vectors at repeated eigenvalues, must panic. Values:
//! `A·V = V·diag(λ)`, unit norm and the phase rule, the order, conjugate pairs, and agreement
//! with `eigenvalues` on symmetric input.

use backprop_linalg::{
    BVar, ComplexBackend, Join, LinalgError, RealScalar, StaticDim, Sym, eig, eigenvalues,
    eigenvalues_general, eval_bp, try_eig, un_sym,
};
use backprop_tests::gauge::{column, phase_invariants};
use backprop_tests::gradcheck::{
    eig_input, error_of, grad_ok, lm, panic_message, rounding_tolerance, run, sym_separated,
};
use num_complex::Complex;
use proptest::prelude::prop_assert;
use typenum::{U1, U2, U3, U4};

/// A complex number of any precision, in `f64`.
fn wide<T: RealScalar>(z: Complex<T>) -> Complex<f64> {
    Complex::new(z.re.to_f64_real(), z.im.to_f64_real())
}

fn eig_case<B: ComplexBackend, N: StaticDim>() {
    run(eig_input::<N, B>(), |a| {
        grad_ok(eigenvalues_general, &a)?;
        grad_ok(|a| eig(a).split().0, &a)?;
        grad_ok(
            |a| {
                let (lambda, v) = eig(a).split();
                let (forms, moduli) = phase_invariants(v);
                (lambda, forms, moduli).join()
            },
            &a,
        )
    });
}

backprop_tests::cases! {
    fn eig_1x1<B: ComplexBackend>() {
        eig_case::<B, U1>();
    }
    fn eig_2x2<B: ComplexBackend>() {
        eig_case::<B, U2>();
    }
    fn eig_3x3<B: ComplexBackend>() {
        eig_case::<B, U3>();
    }
    fn eig_4x4<B: ComplexBackend>() {
        eig_case::<B, U4>();
    }
    /// `A·V = V·diag(λ)`; unit columns whose largest-modulus entry is real and positive;
    /// eigenvalues by descending real part, a conjugate pair with `+i` first, exactly
    /// conjugate vectors.
    fn eig_decomposes<B: ComplexBackend>() {
        run(eig_input::<U4, B>(), |a| {
            let (lambda, v) = eval_bp(eig, &a);
            let (lambda, n) = (lambda.to_vec(), 4);
            let tol = rounding_tolerance::<B::Real, B::Real>() * 10.0;
            let get = |i: usize, j: usize| wide(v.get(i, j));
            for j in 0..n {
                let l = wide(lambda[j]);
                for i in 0..n {
                    let av: Complex<f64> = (0..n).map(|k| get(k, j) * a.get(i, k).to_f64_real()).sum();
                    prop_assert!((av - get(i, j) * l).norm() <= tol * 10.0, "A·v ≠ λ·v");
                }
                let norm: f64 = (0..n).map(|i| get(i, j).norm_sqr()).sum();
                prop_assert!((norm - 1.0).abs() <= tol);
                // An entry of largest modulus (to the tie tolerance of the rule, 1000·ε, and
                // rounding) is exactly real and positive.
                let largest = (0..n).map(|i| get(i, j).norm()).fold(0.0, f64::max);
                let eps = rounding_tolerance::<B::Real, B::Real>() / 4.5e3;
                prop_assert!(
                    (0..n).map(|i| get(i, j)).any(|z| {
                        z.norm() >= largest * (1.0 - 1.1e3 * eps) && z.im == 0.0 && z.re > 0.0
                    }),
                    "phase rule: column {j}"
                );
                if j > 0 {
                    let prev = wide(lambda[j - 1]);
                    prop_assert!(prev.re >= l.re, "order");
                    if prev == l.conj() && l.im != 0.0 {
                        prop_assert!(prev.im > 0.0);
                        prop_assert!((0..n).all(|i| get(i, j) == get(i, j - 1).conj()));
                    }
                }
            }
            Ok(())
        });
    }
    /// On a symmetric matrix the eigenvalues are real and equal `eigenvalues`' (descending),
    /// and so are their gradients.
    fn eig_agrees_with_symmetric<B: ComplexBackend>() {
        run(sym_separated::<U3, B>(), |s| {
            let general = eval_bp(|s| eigenvalues_general(un_sym(s)), &s).to_vec();
            let symmetric = eval_bp(eigenvalues, &s).to_vec();
            let tol = rounding_tolerance::<B::Real, B::Real>() * 10.0;
            for (g, e) in general.iter().zip(&symmetric) {
                let (g, e) = (wide(*g), e.to_f64_real());
                prop_assert!((g.re - e).abs() <= tol * e.abs().max(1.0) && g.im.abs() <= tol);
            }
            backprop_tests::gradcheck::same_as(
                |s: BVar<'_, Sym<U3, B>>| backprop_linalg::real(eigenvalues_general(un_sym(s))),
                eigenvalues,
                &s,
            )
        });
    }
    /// A cotangent that depends on the eigenvectors' phases (here, the real part of one
    /// entry), or one on the vectors at a repeated eigenvalue, panics naming `eig`; NaN input is
    /// refused.
    fn eig_refusals<B: ComplexBackend>() {
        // Eigenvalues 1 ± i·√2: complex eigenvectors, whose real parts depend on the phase.
        let a = lm::<U2, U2, B>(2, 2, &[1.0, -2.0, 1.0, 1.0]);
        let phase = panic_message(|| {
            backprop_linalg::grad_bp(|a| backprop_linalg::real(column(eig(a).split().1, 0)), &a);
        })
        .expect("a phase-dependent cotangent panics");
        assert!(phase.contains("eig") && phase.contains("phase"), "{phase}");
        let repeated = lm::<U2, U2, B>(2, 2, &[1.0, 0.0, 0.0, 1.0]);
        let message = panic_message(|| {
            backprop_linalg::grad_bp(|a| phase_invariants(eig(a).split().1).1, &repeated);
        })
        .expect("a cotangent on the vectors at a repeated eigenvalue panics");
        assert!(message.contains("eig") && message.contains("repeated"), "{message}");
        let nan = lm::<U2, U2, B>(2, 2, &[1.0, f64::NAN, 0.0, 1.0]);
        assert!(matches!(error_of(&nan, try_eig), Some(LinalgError::NonFinite { op: "eig" })));
    }
}
