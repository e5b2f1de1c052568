//! Symmetric matrix functions: `sym_fn`, `sym_exp`, `sym_log`, `sym_sqrt`, `sym_pow`, on
//! symmetric (`sym_exp`, `sym_fn`) or positive definite inputs with separated eigenvalues, and at
//! **repeated eigenvalues** (the identity, block-repeated spectra), where the Daleckii–Krein
//! gradient stays exact; agreement with the general `expm`, `sqrtm` and `inv`; the errors of
//! inputs outside a function's domain.

use backprop_linalg::{
    BVar, Backend, Elementary, Join, LinalgError, Sym, expm, inv, sqrtm, sum_elements, sym_exp,
    sym_fn, sym_fn_, sym_log, sym_pow, sym_sqrt, trace, try_sym_exp, try_sym_fn, try_sym_fn_,
    try_sym_log, try_sym_pow, try_sym_sqrt, un_sym,
};
use backprop_tests::Double;
use backprop_tests::gradcheck::{
    assert_fails, error_of, expect_panic, grad_ok, hvp_ok, jvp_ok, real, run, same_as, spd,
    spd_repeated, spd_separated, sym_separated, symmetric,
};
use typenum::{U2, U3, U4};

/// `f(x) = x³ − 2x` and its derivative, written on any real scalar.
fn cubic<T: backprop_linalg::RealScalar>(x: T) -> T {
    x * x * x - (x + x)
}

fn cubic_derivative<T: backprop_linalg::RealScalar>(x: T) -> T {
    let three = T::from_f64_real(3.0);
    three * x * x - T::from_f64_real(2.0)
}

/// `c·I`: one eigenvalue `c`, `n` times, exactly.
fn scaled_identity<B: Backend>(c: f64) -> Sym<U3, B> {
    Sym::from_fn(|i, j| real::<B>(if i == j { c } else { 0.0 }))
}

/// A curved function of a positive definite matrix through every named form and `sym_fn_`.
fn through_spectra<'t, B: Backend>(a: BVar<'t, Sym<U3, B>>) -> BVar<'t, B::Real> {
    let log_root = un_sym(sym_log(a)) * un_sym(sym_sqrt(a));
    let whitened = trace(un_sym(sym_pow(a, real::<B>(-0.5))));
    sum_elements(log_root)
        + whitened.sin()
        + trace(un_sym(sym_exp(a))).ln()
        + sum_elements(un_sym(sym_fn_(a, |x| x.sin() * x)))
}

/// `sym_fn_` of an indefinite symmetric matrix, curved.
fn through_sym_fn_<'t, B: Backend>(a: BVar<'t, Sym<U3, B>>) -> BVar<'t, B::Real> {
    sum_elements(un_sym(sym_fn_(a, |x| x.sin() * x + x * x)).cos())
}

backprop_tests::cases! {
    /// The second order of the Daleckii–Krein rule (second divided differences): full Hessians
    /// and forward mode, with separated eigenvalues (repeated ones: the next case).
    fn sym_functions_second_order<B: Backend>() {
        // Forward mode on the matrices themselves: differences of a sum of several spectral
        // terms carry too much single-precision noise for the function's directional derivative.
        run(spd_separated::<U3, B>(), |a| {
            hvp_ok(through_spectra::<B>, &a)?;
            jvp_ok(
                |a| (sym_log(a), sym_sqrt(a), sym_pow(a, real::<B>(-0.5))).join(),
                &a,
            )
        });
        run(sym_separated::<U3, B>(), |a| {
            hvp_ok(through_sym_fn_::<B>, &a)?;
            jvp_ok(|a| (sym_exp(a), sym_fn_(a, |x| x.sin() * x + x * x)).join(), &a)
        });
    }
    /// Block-repeated spectra, and `spd` with eigenvalues anywhere in `[0.5, 4]` (near-equal
    /// ones included): the Hessian stays exact. In `f64` only: see `spd_separated` for why
    /// differences of single-precision gradients cannot check it there.
    fn sym_functions_second_order_repeated<B: Double>() {
        run(spd_repeated::<U3, B>(), |a| hvp_ok(through_spectra::<B>, &a));
        run(spd::<U3, B>(), |a| hvp_ok(through_spectra::<B>, &a));
        run(symmetric::<U3, B>(), |a| hvp_ok(through_sym_fn_::<B>, &a));
    }
    /// At `c·I` the second divided differences are `f''(c)/2`: the Hessian is exact there.
    fn sym_functions_second_order_at_the_identity<B: Backend>() {
        for c in [1.0, 2.5] {
            hvp_ok(through_spectra::<B>, &scaled_identity::<B>(c)).unwrap();
        }
    }
    /// `sym_fn` is given `f'` alone: its second order panics, saying what to use instead.
    fn sym_fn_second_order_refused<B: Double>() {
        let a = scaled_identity::<B>(1.0);
        let message = expect_panic(|| {
            backprop_linalg::hvp(|a| trace(un_sym(sym_fn(a, cubic, cubic_derivative))), &a, &a);
        });
        assert!(message.contains("sym_fn: the second order needs f''"), "{message}");
    }
    /// `sym_fn_` agrees with `sym_fn` given the derivative by hand, in value and gradient.
    fn sym_fn_agrees_with_sym_fn<B: Backend>() {
        run(symmetric::<U3, B>(), |a| {
            same_as(
                |a| un_sym(sym_fn_(a, |x| x * x * x - (x + x))),
                |a| un_sym(sym_fn(a, cubic, cubic_derivative)),
                &a,
            )
        });
    }
    fn sym_exp_3<B: Backend>() {
        run(symmetric::<U3, B>(), |a| grad_ok(sym_exp, &a));
    }
    fn sym_log_3<B: Backend>() {
        run(spd::<U3, B>(), |a| grad_ok(sym_log, &a));
    }
    fn sym_sqrt_4<B: Backend>() {
        run(spd::<U4, B>(), |a| grad_ok(sym_sqrt, &a));
    }
    fn sym_pow_3<B: Backend>() {
        run(spd::<U3, B>(), |a| {
            grad_ok(|a| sym_pow(a, real::<B>(-0.5)), &a)?;
            grad_ok(|a| sym_pow(a, real::<B>(1.7)), &a)
        });
    }
    fn sym_fn_cubic_3<B: Backend>() {
        run(symmetric::<U3, B>(), |a| {
            grad_ok(|a| sym_fn(a, cubic, cubic_derivative), &a)
        });
    }
    /// Block-repeated spectra (`a, a, b` and `a, a, b, b`): every function's gradient is exact.
    fn repeated_eigenvalues_3<B: Backend>() {
        run(spd_repeated::<U3, B>(), |a| {
            grad_ok(sym_exp, &a)?;
            grad_ok(sym_log, &a)?;
            grad_ok(sym_sqrt, &a)?;
            grad_ok(|a| sym_pow(a, real::<B>(-1.0)), &a)?;
            grad_ok(|a| sym_fn(a, cubic, cubic_derivative), &a)
        });
    }
    fn repeated_eigenvalues_4<B: Backend>() {
        run(spd_repeated::<U4, B>(), |a| {
            grad_ok(sym_log, &a)?;
            grad_ok(sym_sqrt, &a)
        });
    }
    /// At `c·I` (one eigenvalue, three times, exactly): the gradient is `f'(c)·Ȳ`, finite.
    fn at_the_identity<B: Backend>() {
        for c in [1.0, 2.5] {
            let a = scaled_identity::<B>(c);
            grad_ok(sym_exp, &a).unwrap();
            grad_ok(sym_log, &a).unwrap();
            grad_ok(sym_sqrt, &a).unwrap();
            grad_ok(|a| sym_pow(a, real::<B>(0.3)), &a).unwrap();
            grad_ok(|a| sym_fn(a, cubic, cubic_derivative), &a).unwrap();
        }
    }
    /// The general matrix functions give the same values and gradients on symmetric input.
    fn agree_with_expm_sqrtm_inv<B: Backend>() {
        run(spd::<U3, B>(), |a| {
            same_as(|a| un_sym(sym_exp(a)), |a| expm(un_sym(a)), &a)?;
            same_as(|a| un_sym(sym_sqrt(a)), |a| sqrtm(un_sym(a)), &a)?;
            same_as(|a| un_sym(sym_pow(a, real::<B>(-1.0))), |a| inv(un_sym(a)), &a)
        });
    }
    /// `sym_log`, `sym_sqrt`, `sym_pow` refuse an eigenvalue that is not positive (a zero one
    /// too: the root has no derivative there); `sym_fn` refuses a non-finite `f(λ)`; NaN input
    /// is refused by all.
    fn outside_the_domain_errors<B: Backend>() {
        let indefinite = Sym::<U2, B>::from_fn(|i, j| real::<B>([[1.0, 2.0], [2.0, 1.0]][i][j]));
        let semidefinite = Sym::<U2, B>::from_fn(|i, j| real::<B>([[0.0, 0.0], [0.0, 1.0]][i][j]));
        for a in [&indefinite, &semidefinite] {
            let e = |op| LinalgError::NotPositiveDefinite { op };
            assert_fails(a, &e("sym_log"), try_sym_log, sym_log);
            assert_fails(a, &e("sym_sqrt"), try_sym_sqrt, sym_sqrt);
            assert_fails(
                a,
                &e("sym_pow"),
                |a| try_sym_pow(a, real::<B>(0.5)),
                |a| sym_pow(a, real::<B>(0.5)),
            );
        }
        // ln of the eigenvalue −1 of `indefinite`.
        assert_fails(
            &indefinite,
            &LinalgError::NonFinite { op: "sym_fn" },
            |a| try_sym_fn(a, |x| x.ln(), |x| real::<B>(1.0) / x),
            |a| sym_fn(a, |x| x.ln(), |x| real::<B>(1.0) / x),
        );
        assert_fails(
            &indefinite,
            &LinalgError::NonFinite { op: "sym_fn_" },
            |a| try_sym_fn_(a, |x| x.ln()),
            |a| sym_fn_(a, |x| x.ln()),
        );
        let nan = Sym::<U2, B>::from_fn(|i, j| real::<B>(if i == j { f64::NAN } else { 0.0 }));
        assert!(matches!(
            error_of(&nan, try_sym_exp),
            Some(LinalgError::NonFinite { op: "sym_exp", .. })
        ));
    }
}
