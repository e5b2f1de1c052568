//! Every scalar operator and elementary function, checked with the gradient checker over
//! proptest-drawn inputs inside each function's smooth domain, to the first and the second
//! order (`check_hvp`, `check_jvp`); and the checker itself shown to reject wrong gradients.

use backprop_core::check::{
    CheckConfig, check_gradient, check_gradient_with, check_hvp, check_hvp_with, check_jvp,
};
use backprop_core::{BVar, lift1, op1};
use proptest::prelude::*;

const TOL: f64 = 1e-6;

/// A differentiable function of one `f64`.
type Scalar = for<'t> fn(BVar<'t, f64>) -> BVar<'t, f64>;

/// A differentiable function of a pair.
type Pair = for<'t> fn(BVar<'t, (f64, f64)>) -> BVar<'t, f64>;

/// Values at least 0.1 away from zero.
fn away_from_zero(max: f64) -> impl Strategy<Value = f64> {
    (0.1..max, any::<bool>()).prop_map(|(m, neg)| if neg { -m } else { m })
}

macro_rules! unary_cases {
    ($($name:ident: |$v:ident| $body:expr, $domain:expr;)*) => {$(
        proptest! {
            #[test]
            fn $name(x in $domain) {
                let report = check_gradient(|$v: BVar<'_, f64>| $body, &x);
                prop_assert!(report.passes(TOL), "{}", report);
                let report = check_jvp(|$v: BVar<'_, f64>| $body, &x);
                prop_assert!(report.passes(TOL), "jvp: {}", report);
                let report = check_hvp(|$v: BVar<'_, f64>| $body, &x);
                prop_assert!(report.passes(TOL), "hvp: {}", report);
            }
        }
    )*};
}

unary_cases! {
    exp: |v| v.exp(), -5.0..5.0;
    ln: |v| v.ln(), 0.1..10.0;
    sqrt: |v| v.sqrt(), 0.1..10.0;
    sin: |v| v.sin(), -10.0..10.0;
    cos: |v| v.cos(), -10.0..10.0;
    tan: |v| v.tan(), -1.2..1.2;
    sinh: |v| v.sinh(), -4.0..4.0;
    cosh: |v| v.cosh(), -4.0..4.0;
    tanh: |v| v.tanh(), -4.0..4.0;
    asin: |v| v.asin(), -0.9..0.9;
    acos: |v| v.acos(), -0.9..0.9;
    atan: |v| v.atan(), -5.0..5.0;
    abs: |v| v.abs(), away_from_zero(5.0);
    signum: |v| v.signum(), away_from_zero(5.0);
    recip: |v| v.recip(), away_from_zero(5.0);
    logistic: |v| v.logistic(), -20.0..20.0;
    neg: |v| -v, -5.0..5.0;
    square_by_mul: |v| v * v, -5.0..5.0;
    plus_const: |v| v + 1.5, -5.0..5.0;
    minus_const: |v| v - 1.5, -5.0..5.0;
    times_const: |v| v * -2.5, -5.0..5.0;
    over_const: |v| v / -2.5, -5.0..5.0;
    const_plus: |v| 1.5 + v, -5.0..5.0;
    const_minus: |v| 1.5 - v, -5.0..5.0;
    const_times: |v| -2.5 * v, -5.0..5.0;
    const_over: |v| -2.5 / v, away_from_zero(5.0);
    compound_assign: |v| { let mut a = v; a += v; a *= v; a -= 1.0; a /= 3.0; a }, -5.0..5.0;
    composite: |v| (v.sin() * v.exp() + v.tanh()).powi(2) / (1.0 + v * v), -3.0..3.0;
}

proptest! {
    #[test]
    fn powi(x in away_from_zero(3.0), n in -3i32..5) {
        let report = check_gradient(|v| v.powi(n), &x);
        prop_assert!(report.passes(TOL), "n = {}: {}", n, report);
        let report = check_hvp(|v| v.powi(n), &x);
        prop_assert!(report.passes(TOL), "hvp, n = {}: {}", n, report);
    }

    #[test]
    fn powf_scalar(x in 0.1..5.0, p in -2.0..2.0) {
        let report = check_gradient(|v| v.powf_scalar(p), &x);
        prop_assert!(report.passes(TOL), "{}", report);
        let report = check_hvp(|v| v.powf_scalar(p), &x);
        prop_assert!(report.passes(TOL), "hvp: {}", report);
    }

    /// Two-variable rules to the second order through a split pair: the full 2×2 Hessian,
    /// mixed partial derivatives and its symmetry included, and the Jacobian of a joined pair.
    #[test]
    fn binary_ops_second_order(x in 0.2..3.0, y in away_from_zero(3.0)) {
        let fs: [(&str, Pair); 5] = [
            ("add", |v| { let (x, y) = v.split(); (x + y) * (x + y) }),
            ("sub", |v| { let (x, y) = v.split(); (x - y).sin() }),
            ("mul", |v| { let (x, y) = v.split(); x * y * y }),
            ("div", |v| { let (x, y) = v.split(); x / y }),
            ("powf", |v| { let (x, y) = v.split(); x.powf(y) }),
        ];
        for (name, f) in fs {
            let report = check_hvp(f, &(x, y));
            prop_assert!(report.passes(TOL), "{} hvp: {}", name, report);
            prop_assert!(report.jacobian);
            let report = check_jvp(f, &(x, y));
            prop_assert!(report.passes(TOL), "{} jvp: {}", name, report);
        }
        fn joined(v: BVar<'_, (f64, f64)>) -> BVar<'_, (f64, f64, [f64; 3])> {
            use backprop_core::Join;
            let (x, y) = v.split();
            (x * y, x.exp() / y, [x, y, x * x].join()).join()
        }
        let report = check_jvp(joined, &(x, y));
        prop_assert!(report.passes(TOL), "join jvp: {}", report);
    }

    /// A field's `view`, `set` and `over` to the second order: the projection and the embedding
    /// of a field are each other's rule, and clearing a field is its own.
    #[test]
    fn fields_second_order(x in 0.2..3.0, y in away_from_zero(3.0)) {
        fn lenses(p: BVar<'_, (f64, f64)>) -> BVar<'_, f64> {
            let a = p.view(|p| &p.0, |p| &mut p.0);
            let q = p.set(|p| &mut p.1, a * a.sin()); // (a, a·sin a)
            let r = q.over(|q| &q.0, |q| &mut q.0, |x| x * x * x); // (a³, a·sin a)
            let (u, v) = r.split();
            let b = p.view(|p| &p.1, |p| &mut p.1);
            u * v + b.exp() * u
        }
        let report = check_hvp(lenses, &(x, y));
        prop_assert!(report.passes(TOL), "hvp: {}", report);
        prop_assert!(report.jacobian);
        let report = check_jvp(lenses, &(x, y));
        prop_assert!(report.passes(TOL), "jvp: {}", report);
    }

    /// Two-variable rules to the second order, through one input: mixed partial derivatives of
    /// `x ∘ g(x)` exercise both sides of each rule.
    #[test]
    fn binary_rules_second_order(x in 0.2..3.0) {
        let fs: [(&str, Scalar); 5] = [
            ("add", |v| v + v.sin()),
            ("sub", |v| v.exp() - v * v),
            ("mul", |v| v.cos() * v.exp()),
            ("div", |v| v.sin() / (v * v + 1.0)),
            ("powf", |v| v.powf(v.cos() + 2.0)),
        ];
        for (name, f) in fs {
            let report = check_hvp(f, &x);
            prop_assert!(report.passes(TOL), "{} hvp: {}", name, report);
            let report = check_jvp(f, &x);
            prop_assert!(report.passes(TOL), "{} jvp: {}", name, report);
        }
    }

    #[test]
    fn powf(x in 0.1..5.0, p in -2.0..2.0) {
        let report = check_gradient(|v| { let (x, p) = v.split(); x.powf(p) }, &(x, p));
        prop_assert!(report.passes(TOL), "{}", report);
    }

    #[test]
    fn add(x in -5.0..5.0, y in -5.0..5.0) {
        let report = check_gradient(|v| { let (x, y) = v.split(); x + y }, &(x, y));
        prop_assert!(report.passes(TOL), "{}", report);
    }

    #[test]
    fn sub(x in -5.0..5.0, y in -5.0..5.0) {
        let report = check_gradient(|v| { let (x, y) = v.split(); x - y }, &(x, y));
        prop_assert!(report.passes(TOL), "{}", report);
    }

    #[test]
    fn mul(x in -5.0..5.0, y in -5.0..5.0) {
        let report = check_gradient(|v| { let (x, y) = v.split(); x * y }, &(x, y));
        prop_assert!(report.passes(TOL), "{}", report);
    }

    #[test]
    fn div(x in -5.0..5.0, y in away_from_zero(5.0)) {
        let report = check_gradient(|v| { let (x, y) = v.split(); x / y }, &(x, y));
        prop_assert!(report.passes(TOL), "{}", report);
    }

    #[test]
    fn same_variable_on_both_sides(x in away_from_zero(5.0)) {
        // x/x is constant: both contributions must cancel exactly.
        let report = check_gradient(|v| v / v + v - v, &x);
        prop_assert!(report.passes(TOL), "{}", report);
    }

    #[test]
    fn f32_ops(x in 0.6f32..2.0) {
        // f32 rounding (about 6e-8 relative) divided by the step makes differences noisy at
        // about 1e-4; the tolerance says so. The domain stops at 2, where the derivative is still
        // above 1: it vanishes near x = 2.37, where a relative error means nothing.
        let config = CheckConfig { step: 1e-2, ..CheckConfig::default() };
        let report = check_gradient_with(
            &config,
            |v: BVar<'_, f32>| (v.sin() * v.exp() + v.ln()).sqrt() * 2.0f32 - v.logistic(),
            &x,
        );
        prop_assert!(report.passes(1e-2), "{}", report);
    }
}

/// The checker rejects gradients that are zero, negated or slightly off.
#[test]
fn checker_rejects_wrong_gradients() {
    let wrong = [
        ("zero", 0.0),
        ("negated", -1.0),
        ("three times", 3.0),
        ("1.001 times", 1.001),
    ];
    for (what, factor) in wrong {
        let op = move || op1(|x: &f64| x.sin(), move |x, _y, dy| factor * dy * x.cos());
        for x in [-2.0, -0.3, 0.4, 1.7] {
            let report = check_gradient(|v| lift1(op(), v), &x);
            assert!(
                !report.passes(TOL),
                "{what} gradient passed at {x}: {report}"
            );
        }
    }
}

/// A wrong rule hidden in one output of several is found, and located.
#[test]
fn checker_locates_a_wrong_entry() {
    use backprop_core::Join;
    let bad = || op1(|x: &f64| x * x, |_x, _y, dy| dy); // should be 2x·dy
    let report = check_gradient(
        |v| {
            let (a, b) = v.split();
            (a * b, lift1(bad(), b), a.exp()).join()
        },
        &(0.5, 1.5),
    );
    assert!(!report.passes(TOL), "{report}");
    assert!(report.jacobian);
    let worst = report.worst.expect("a comparison was made");
    if let backprop_core::check::Probe::Entry { output, input } = worst.probe {
        assert_eq!((output, input), (1, 1), "{report}");
    }
}

/// A rule whose first order is right and whose second is not (it computes `cos x` from the
/// plain value, a constant to the second order) passes `check_gradient` and fails `check_hvp`.
#[test]
fn hvp_checker_rejects_a_rule_that_is_right_to_first_order_only() {
    fn sin_first_order_only<'t>(x: BVar<'t, f64>) -> BVar<'t, f64> {
        let id = x.id();
        x.tape()
            .record_rule(x.value().sin(), x.requires_grad(), move |cx, _, dy| {
                let cos = cx.value(id).get().cos();
                cx.add(id, dy * backprop_core::Val::Own(cos));
            })
    }
    for x in [-1.3, 0.4, 2.0] {
        check_gradient(sin_first_order_only, &x).assert_within(TOL);
        let report = check_hvp(sin_first_order_only, &x);
        assert!(
            !report.passes(TOL),
            "a wrong second order passed at {x}: {report}"
        );
    }
}

/// A function using an operation recorded with `Tape::record` (first order only) cannot be
/// differentiated twice: a panic that says so, never a silent wrong number.
#[test]
#[should_panic(expected = "first-order gradient only")]
fn first_order_only_ops_refuse_second_order() {
    let op = || op1(|x: &f64| x.sin(), |x, _y, dy| dy * x.cos());
    let _ = backprop_core::hvp(|v| lift1(op(), v) * v, &0.5, &1.0);
}

/// The same operations in single precision, to the second order.
#[test]
fn f32_second_order() {
    let config = CheckConfig {
        step: 1e-2,
        ..CheckConfig::default()
    };
    for x in [0.7f32, 1.1, 1.9] {
        let report = check_hvp_with(
            &config,
            |v: BVar<'_, f32>| (v.sin() * v.exp() + v.ln()).sqrt() * 2.0f32 - v.logistic(),
            &x,
        );
        // As `f32_ops`: differences of f32 gradients are noisy at about 1e-4.
        assert!(report.passes(1e-2), "{report}");
    }
}

#[test]
fn checker_passes_a_constant_function() {
    let report = check_gradient(|v| v.tape().constant(3.0) + v * 0.0, &1.0);
    report.assert_within(TOL);
}

mod complex {
    //! Complex operands follow the conjugate Wirtinger convention: with it the gradient equals
    //! the (re, im) coordinate-wise gradient, which is what the checker's finite differences
    //! measure through `Coords`.
    use super::*;
    use backprop_core::Join;
    use num_complex::Complex64;

    fn c() -> impl Strategy<Value = Complex64> {
        (-2.0..2.0, -2.0..2.0).prop_map(|(re, im)| Complex64::new(re, im))
    }

    fn nonzero() -> impl Strategy<Value = Complex64> {
        (0.3..2.0, 0.0..std::f64::consts::TAU).prop_map(|(r, t)| Complex64::from_polar(r, t))
    }

    proptest! {
        #[test]
        fn mul_div_add_sub(x in c(), y in nonzero()) {
            let report = check_gradient(
                |v| {
                    let (x, y) = v.split();
                    (x * y, x / y, x + y - x * x).join()
                },
                &(x, y),
            );
            prop_assert!(report.passes(TOL), "{}", report);
        }

        #[test]
        fn with_constants(x in nonzero(), k in nonzero()) {
            let report = check_gradient(|v| (v * k, v / k, -v).join(), &x);
            prop_assert!(report.passes(TOL), "{}", report);
        }
    }

    /// Right half plane, away from the branch cuts of ln, sqrt and powers.
    fn right_half() -> impl Strategy<Value = Complex64> {
        (0.3..2.0, -1.5..1.5).prop_map(|(re, im)| Complex64::new(re, im))
    }

    /// A small disc, away from the branch cuts of asin, acos and atan and the poles of tan.
    fn small() -> impl Strategy<Value = Complex64> {
        (0.0..0.7, 0.0..std::f64::consts::TAU).prop_map(|(r, t)| Complex64::from_polar(r, t))
    }

    proptest! {
        #[test]
        fn elementary_functions(z in right_half(), w in small(), n in -3i32..4) {
            let report = check_gradient(
                |v| {
                    let (z, w) = v.split();
                    (
                        (z.exp(), z.ln(), z.sqrt(), z.sin(), z.cos(), w.tan()).join(),
                        (z.sinh(), z.cosh(), z.tanh(), z.recip(), z.powi(n)).join(),
                        (w.asin(), w.acos(), w.atan(), z.powf(w), z.powf_scalar(Complex64::new(0.5, 0.25))).join(),
                    )
                        .join()
                },
                &(z, w),
            );
            prop_assert!(report.passes(TOL), "{}", report);
        }
    }
}

/// `logistic` in the tails: relative accuracy against `eˣ/(1 + eˣ)` (exact enough there) down
/// to where the value stops being a normal number, and the limits 0, 1 and NaN.
#[test]
fn logistic_in_the_tails() {
    use backprop_core::logistic;
    for x in [-700.0f64, -300.0, -40.0, -20.0, -1.0, 0.0, 1.0, 20.0, 40.0] {
        let want = if x < 0.0 {
            x.exp() / (1.0 + x.exp())
        } else {
            1.0 / (1.0 + (-x).exp())
        };
        let got = logistic(x);
        assert!(
            (got - want).abs() <= 4.0 * f64::EPSILON * want,
            "logistic({x}) = {got}, want {want}"
        );
    }
    assert_eq!(logistic(-800.0f64), 0.0);
    assert_eq!(logistic(800.0f64), 1.0);
    assert_eq!(logistic(f64::NEG_INFINITY), 0.0);
    assert_eq!(logistic(f64::INFINITY), 1.0);
    assert!(logistic(f64::NAN).is_nan());
    assert!((logistic(-80.0f32) / (-80.0f32).exp() - 1.0).abs() <= 4.0 * f32::EPSILON);
}
