//! How the tape behaves: accumulation, unused inputs, constants, seeds, splitting and joining,
//! field projections, custom ops, panics.

use backprop_core::check::{check_gradient, check_hvp, check_jvp};
use backprop_core::{
    BVar, Backprop, Coords, Join, Op, backprop, backprop_with, backprop2, eval_bp, eval_bp2,
    grad_bp, grad_bp2, iso_var, lift2, op2,
};

#[test]
fn a_value_used_many_times_accumulates_every_contribution() {
    // d/dx (x·x + x + x·3) = 2x + 4
    assert_eq!(grad_bp(|x| x * x + x + x * 3.0, &5.0), 14.0);
}

#[test]
fn an_unused_input_gets_zero_of_its_own_shape() {
    let g = grad_bp(
        |v: BVar<'_, Vec<f64>>| v.tape().constant(1.0),
        &vec![1.0, 2.0, 3.0],
    );
    assert_eq!(g, vec![0.0, 0.0, 0.0]);
    let (gx, gy) = grad_bp2(|x, _y: BVar<'_, Vec<f64>>| x * 2.0, &1.0, &vec![4.0, 5.0]);
    assert_eq!((gx, gy), (2.0, vec![0.0, 0.0]));
}

#[test]
fn a_part_that_is_never_used_gets_zero() {
    let g = grad_bp(|v| v.split()[1] * 2.0, &vec![1.0, 2.0, 3.0]);
    assert_eq!(g, vec![0.0, 2.0, 0.0]);
}

#[test]
fn constants_receive_no_gradient_and_record_no_pullback() {
    let g = grad_bp(
        |x| {
            let c = x.tape().constant(4.0);
            let c2 = c * c; // constant arithmetic stays constant
            assert!(!c2.requires_grad());
            assert!(x.requires_grad());
            x * c2
        },
        &1.0,
    );
    assert_eq!(g, 16.0);
}

#[test]
fn eval_bp_records_no_gradient_work() {
    let y = eval_bp(
        |x| {
            assert!(!x.requires_grad());
            let y = x.sin() * x;
            assert!(!y.requires_grad());
            y
        },
        &2.0,
    );
    assert_close(y, 2f64.sin() * 2.0);
    assert_eq!(eval_bp2(|x, y| x * y, &3.0, &4.0), 12.0);
}

#[test]
fn a_tape_that_only_evaluates_numbers_its_nodes_like_one_that_records() {
    // The same function on both kinds of tape: a split (a gathering node and its parts), an
    // operation, a constant. An evaluating tape records nothing for a backward pass, but its
    // variables get the indices a recording tape would give them.
    fn f<'t>(p: BVar<'t, (f64, f64)>, ids: &mut Vec<usize>) -> BVar<'t, f64> {
        let (a, b) = p.split();
        let y = a * b + p.tape().constant(1.0);
        ids.extend([
            a.id().index(),
            b.id().index(),
            y.id().index(),
            p.tape().len(),
        ]);
        y
    }
    let (mut evaluated, mut recorded) = (Vec::new(), Vec::new());
    assert_eq!(eval_bp(|p| f(p, &mut evaluated), &(2.0, 3.0)), 7.0);
    assert_eq!(grad_bp(|p| f(p, &mut recorded), &(2.0, 3.0)), (3.0, 2.0));
    assert_eq!(evaluated, recorded);
    assert_eq!(evaluated, [2, 3, 6, 7]);
}

#[test]
fn backprop_returns_value_and_gradient() {
    assert_eq!(backprop(|x| x * x * x, &2.0), (8.0, 12.0));
    assert_eq!(backprop2(|x, y| x * y + x, &3.0, &4.0), (15.0, (5.0, 3.0)));
}

#[test]
fn backprop_with_uses_the_given_cotangent() {
    // f(x) = (x, x², 2)·; cotangent (1, 10, 100): 1 + 20x
    let (y, g) = backprop_with(
        |x| (x, x * x, x.tape().constant(2.0)).join(),
        &3.0,
        (1.0, 10.0, 100.0),
    );
    assert_eq!(y, (3.0, 9.0, 2.0));
    assert_eq!(g, 61.0);
}

#[test]
fn the_identity_and_constant_outputs() {
    assert_eq!(backprop(|x| x, &2.5), (2.5, 1.0));
    assert_eq!(
        grad_bp(|x: BVar<'_, f64>| x.tape().constant(7.0), &2.5),
        0.0
    );
}

#[derive(Clone, Debug, PartialEq, Backprop, Coords)]
struct Net {
    weights: Vec<f64>,
    bias: f64,
    layer: Inner,
}

#[derive(Clone, Debug, PartialEq, Backprop, Coords)]
struct Inner(f64, [f64; 2]);

#[derive(Clone, Debug, PartialEq, Backprop, Coords)]
struct Wrapper<T> {
    inner: T,
    scale: f64,
}

fn net() -> Net {
    Net {
        weights: vec![1.0, -2.0, 0.5],
        bias: 0.25,
        layer: Inner(1.5, [2.0, -1.0]),
    }
}

fn net_loss<'t>(n: BVar<'t, Net>) -> BVar<'t, f64> {
    let NetVars {
        weights,
        bias,
        layer,
    } = n.split();
    let InnerVars(a, pair) = layer.split();
    let [p, q] = pair.split();
    let w = weights.split();
    (w[0] * w[1] + w[2] * bias).sin() + a * p * q + bias * bias
}

#[test]
fn derived_split_sends_gradients_to_the_right_fields() {
    let g = grad_bp(net_loss, &net());
    let n = net();
    let s = (n.weights[0] * n.weights[1] + n.weights[2] * n.bias).cos();
    let (a, [p, q]) = (n.layer.0, n.layer.1);
    let want = Net {
        weights: vec![s * n.weights[1], s * n.weights[0], s * n.bias],
        bias: s * n.weights[2] + 2.0 * n.bias,
        layer: Inner(p * q, [a * q, a * p]),
    };
    for (got, want) in g.weights.iter().zip(&want.weights) {
        assert_close(*got, *want);
    }
    assert_close(g.bias, want.bias);
    assert_eq!(g.layer, want.layer);
    check_gradient(net_loss, &net()).assert_within(1e-6);
}

#[test]
fn split_and_whole_use_both_contribute() {
    // loss = bias·2 + Σ(n)·1 where the whole struct is also used through `view`.
    let g = grad_bp(
        |n: BVar<'_, Net>| {
            let NetVars { bias, .. } = n.split();
            let b2 = n.view(|n| &n.bias, |n| &mut n.bias);
            bias * 2.0 + b2 * 3.0
        },
        &net(),
    );
    assert_eq!(g.bias, 5.0);
    assert_eq!(g.weights, vec![0.0; 3]);
}

#[test]
fn derived_join_puts_fields_back() {
    let g = grad_bp(
        |x| {
            let joined = WrapperVars {
                inner: x * 2.0,
                scale: x * x,
            }
            .join();
            let WrapperVars { inner, scale } = joined.split();
            inner * scale
        },
        &3.0,
    );
    // d/dx (2x · x²) = 6x²
    assert_eq!(g, 54.0);
}

#[test]
fn generic_derived_struct_checks() {
    let x = Wrapper {
        inner: vec![0.5, -1.5],
        scale: 2.0,
    };
    check_gradient(
        |w: BVar<'_, Wrapper<Vec<f64>>>| {
            let WrapperVars { inner, scale } = w.split();
            let v = inner.split();
            (v[0] * scale).tanh() + v[1] / scale
        },
        &x,
    )
    .assert_within(1e-6);
}

#[test]
fn vec_array_and_tuple_round_trips() {
    let g = grad_bp(
        |v: BVar<'_, Vec<f64>>| {
            let parts = v.split();
            let doubled: Vec<BVar<'_, f64>> = parts.iter().map(|p| *p * 2.0).collect();
            let back = doubled.join().split();
            back[0] * back[2]
        },
        &vec![1.0, 2.0, 3.0],
    );
    assert_eq!(g, vec![12.0, 0.0, 4.0]);

    let g = grad_bp(
        |a: BVar<'_, [f64; 3]>| {
            let [x, y, z] = a.split();
            [z, y, x].join().split()[0] * x
        },
        &[1.0, 2.0, 3.0],
    );
    assert_eq!(g, [3.0, 0.0, 1.0]);
}

#[test]
#[should_panic(expected = "cannot join an empty Vec of BVars")]
fn joining_an_empty_vec_panics_with_a_message() {
    grad_bp(
        |x: BVar<'_, f64>| {
            let empty: Vec<BVar<'_, f64>> = Vec::new();
            let _ = empty.join();
            x
        },
        &1.0,
    );
}

#[test]
fn view_set_over() {
    let g = grad_bp(
        |p: BVar<'_, (f64, f64)>| {
            let a = p.view(|p| &p.0, |p| &mut p.0);
            let q = p.set(|p| &mut p.1, a * a); // (a, a²)
            let r = q.over(|q| &q.0, |q| &mut q.0, |x| x * 10.0); // (10a, a²)
            let (x, y) = r.split();
            x + y
        },
        &(3.0, 100.0),
    );
    // 10a + a²: d/da = 16, the replaced second field gets nothing
    assert_eq!(g, (16.0, 0.0));
}

struct Hypot;

impl Op<(f64, f64)> for Hypot {
    type Output = f64;
    fn forward(&self, (a, b): (&f64, &f64)) -> f64 {
        a.hypot(*b)
    }
    fn backward(&self, (a, b): (&f64, &f64), h: &f64, dh: f64) -> (f64, f64) {
        (dh * a / h, dh * b / h)
    }
}

#[test]
fn custom_ops_by_trait_and_by_closures() {
    check_gradient(
        |v| {
            let (a, b) = v.split();
            Hypot.apply((a, b))
        },
        &(3.0, -4.0),
    )
    .assert_within(1e-6);
    let times = || op2(|a: &f64, b: &f64| a * b, |a, b, _, d| (d * b, d * a));
    assert_eq!(
        grad_bp2(|a, b| lift2(times(), a, b), &3.0, &4.0),
        (4.0, 3.0)
    );
}

#[test]
fn iso_var_maps_the_gradient_back() {
    let g = grad_bp(
        |p| {
            let swapped = iso_var(p, |&(a, b): &(f64, f64)| (b, a), |(b, a)| (a, b));
            let (b, a) = swapped.split();
            a * 1.0 + b * 10.0
        },
        &(1.0, 2.0),
    );
    assert_eq!(g, (1.0, 10.0));
}

/// A curved function through `iso_var` (a swap, then a regrouping into a nested pair).
fn through_isos(p: BVar<'_, (f64, f64)>) -> BVar<'_, f64> {
    let swapped = iso_var(p, |&(a, b): &(f64, f64)| (b, a), |(b, a)| (a, b));
    let nested = iso_var(swapped, |&(b, a)| ((b,), a), |((b,), a)| (b, a));
    let (b, a) = nested.split();
    let (b,) = b.split();
    a * a * b + (a * b).sin()
}

#[test]
fn iso_var_to_the_second_order() {
    // The inverse is recorded as an op whose rule is the forward map: full Hessian and
    // forward mode against differences, at a few points.
    for p in [(0.3, -1.2), (1.5, 0.7), (-2.0, 0.4)] {
        let report = check_hvp(through_isos, &p);
        assert!(report.passes(1e-6), "hvp: {report}");
        let report = check_jvp(through_isos, &p);
        assert!(report.passes(1e-6), "jvp: {report}");
    }
}

#[test]
fn record_with_accumulate_adds_in_place() {
    let g = grad_bp(
        |v: BVar<'_, Vec<f64>>| {
            let id = v.id();
            // y = 2·v, through a pullback that accumulates in place
            let y = v.tape().record(
                v.value().iter().map(|x| 2.0 * x).collect::<Vec<_>>(),
                v.requires_grad(),
                move |ctx, _, dy: Vec<f64>| {
                    ctx.accumulate(
                        id,
                        |acc| acc.iter_mut().zip(&dy).for_each(|(a, d)| *a += 2.0 * d),
                        || dy.iter().map(|d| 2.0 * d).collect(),
                    )
                },
            );
            let parts = y.split();
            let w = v.split();
            parts[0] + parts[1] * 3.0 + w[0]
        },
        &vec![1.0, 1.0],
    );
    assert_eq!(g, vec![3.0, 6.0]);
}

#[test]
fn a_panic_inside_the_closure_leaves_nothing_behind() {
    let result = std::panic::catch_unwind(|| {
        grad_bp(
            |x: BVar<'_, f64>| -> BVar<'_, f64> {
                let _y = x * x;
                panic!("user code failed");
            },
            &1.0,
        )
    });
    assert!(result.is_err());
    // A later differentiation on the same thread works.
    assert_eq!(grad_bp(|x| x * x, &3.0), 6.0);
}

#[test]
fn values_are_borrowed_not_cloned() {
    let big = vec![1.0; 1000];
    eval_bp(
        |v: BVar<'_, Vec<f64>>| {
            assert!(std::ptr::eq(v.value(), &big));
            let parts = v.split();
            assert!(std::ptr::eq(parts[3].value(), &big[3]));
            parts[0]
        },
        &big,
    );
}

#[test]
fn separate_threads_differentiate_separately() {
    let xs = [1.0, 2.0, 3.0, 4.0];
    let grads: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = xs
            .iter()
            .map(|x| s.spawn(move || grad_bp(|v| v * v * v, x)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(grads, vec![3.0, 12.0, 27.0, 48.0]);
}

mod drop_tracking {
    use std::cell::Cell;

    use backprop_core::{BVar, Backprop, grad_bp};

    thread_local! {
        static LIVE: Cell<i64> = const { Cell::new(0) };
    }

    /// A value that counts its live instances.
    #[derive(Debug)]
    struct Tracked(f64);

    impl Tracked {
        fn new(x: f64) -> Self {
            LIVE.with(|l| l.set(l.get() + 1));
            Tracked(x)
        }
    }
    impl Clone for Tracked {
        fn clone(&self) -> Self {
            Tracked::new(self.0)
        }
    }
    impl Drop for Tracked {
        fn drop(&mut self) {
            LIVE.with(|l| l.set(l.get() - 1));
        }
    }
    impl Backprop for Tracked {
        fn zero(&self) -> Self {
            Tracked::new(0.0)
        }
        fn add(self, rhs: Self) -> Self {
            Tracked::new(self.0 + rhs.0)
        }
        fn one(&self) -> Self {
            Tracked::new(1.0)
        }
    }
    impl<'a> std::ops::Mul<&'a Tracked> for &'a Tracked {
        type Output = Tracked;
        fn mul(self, rhs: &'a Tracked) -> Tracked {
            Tracked::new(self.0 * rhs.0)
        }
    }

    #[test]
    fn a_panic_mid_recording_drops_every_value() {
        let x = Tracked::new(2.0);
        let before = LIVE.with(Cell::get);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            grad_bp(
                |v: BVar<'_, Tracked>| -> BVar<'_, Tracked> {
                    let y = v * v;
                    let _z = y * v * v.tape().constant(Tracked::new(3.0));
                    panic!("user code failed");
                },
                &x,
            )
        }));
        assert!(result.is_err());
        assert_eq!(LIVE.with(Cell::get), before, "values leaked from the tape");
    }

    impl backprop_core::Conjugate for Tracked {
        fn conj(&self) -> std::borrow::Cow<'_, Self> {
            std::borrow::Cow::Borrowed(self)
        }
    }

    thread_local! {
        /// Whether a dropped `Reentrant` differentiates.
        static REENTER: Cell<bool> = const { Cell::new(false) };
    }

    /// Like [`Tracked`], but its `Drop` may differentiate.
    #[derive(Debug)]
    struct Reentrant(f64);

    impl Reentrant {
        fn new(x: f64) -> Self {
            LIVE.with(|l| l.set(l.get() + 1));
            Reentrant(x)
        }
    }
    impl Clone for Reentrant {
        fn clone(&self) -> Self {
            Reentrant::new(self.0)
        }
    }
    impl Drop for Reentrant {
        fn drop(&mut self) {
            LIVE.with(|l| l.set(l.get() - 1));
            if REENTER.with(Cell::get) {
                // Differentiating from a destructor, while a runner resets its storage.
                assert_eq!(backprop_core::eval_bp(|x| x * x, &self.0), self.0 * self.0);
            }
        }
    }
    impl Backprop for Reentrant {
        fn zero(&self) -> Self {
            Reentrant::new(0.0)
        }
        fn add(self, rhs: Self) -> Self {
            Reentrant::new(self.0 + rhs.0)
        }
        fn one(&self) -> Self {
            Reentrant::new(1.0)
        }
    }
    impl backprop_core::Conjugate for Reentrant {
        fn conj(&self) -> std::borrow::Cow<'_, Self> {
            std::borrow::Cow::Borrowed(self)
        }
    }
    impl<'a> std::ops::Mul<&'a Reentrant> for &'a Reentrant {
        type Output = Reentrant;
        fn mul(self, rhs: &'a Reentrant) -> Reentrant {
            Reentrant::new(self.0 * rhs.0)
        }
    }

    #[test]
    fn values_whose_drop_differentiates_are_dropped_when_their_tape_ends() {
        let x = Reentrant::new(3.0);
        let before = LIVE.with(Cell::get);
        for _ in 0..3 {
            let g = backprop_core::grad_bp(
                |v: BVar<'_, f64>| {
                    // A tape inside the tape, whose values' `Drop` differentiates when that
                    // inner tape's runner resets its storage, and again when this one's does.
                    REENTER.with(|r| r.set(true));
                    let y = backprop_core::eval_bp(|k: BVar<'_, Reentrant>| k * k, &x).0;
                    assert_eq!(
                        LIVE.with(Cell::get),
                        before,
                        "the inner tape dropped its values"
                    );
                    v * y
                },
                &1.0,
            );
            REENTER.with(|r| r.set(false));
            assert_eq!(g, 9.0);
        }
        let g = backprop_core::grad_bp(|v| v * v * v, &x);
        assert_eq!(g.0, 27.0);
        assert_eq!(
            LIVE.with(Cell::get),
            before + 1,
            "only the gradient survives"
        );
    }

    #[test]
    fn a_completed_differentiation_drops_everything_but_its_results() {
        let x = Tracked::new(2.0);
        let before = LIVE.with(Cell::get);
        let g = grad_bp(|v| v * v * v, &x);
        assert_eq!(g.0, 12.0);
        assert_eq!(
            LIVE.with(Cell::get),
            before + 1,
            "only the gradient survives"
        );
    }
}

#[test]
fn tapes_inside_tapes_and_in_a_loop_reuse_storage_without_mixing() {
    // Each finished tape hands its node arrays to the next one of its thread: a tape started
    // inside another's closure, or after another's backward pass, must still see only its own
    // nodes and gradients.
    let inner = |x: f64| grad_bp(|y| y * y * y, &x); // 3x²
    for round in 0..3 {
        let (value, grad) = backprop(
            |x| {
                // A whole differentiation inside this one's closure, before and after recording.
                let before = inner(*x.value());
                let y = x.sin() * x;
                let after = inner(*x.value() + 1.0);
                y * (before + after)
            },
            &0.5,
        );
        let (c, d) = (3.0 * 0.25, 3.0 * 2.25);
        let f = 0.5f64.sin() * 0.5;
        assert!((value - f * (c + d)).abs() < 1e-14, "round {round}");
        let df = 0.5f64.cos() * 0.5 + 0.5f64.sin();
        assert!((grad - df * (c + d)).abs() < 1e-13, "round {round}: {grad}");
        assert_eq!(
            eval_bp(|x| x * 2.0 + 1.0, &(round as f64)),
            2.0 * round as f64 + 1.0
        );
    }
}

/// `a == b` to within 16 ulps: the two sides evaluate `sin`/`cos` separately, which no platform
/// rounds correctly, and Miri perturbs each such result by a few ulps on purpose (its
/// non-deterministic floating point), so 4 ulps failed under Miri while checking nothing more.
#[track_caller]
fn assert_close(a: f64, b: f64) {
    assert!(
        (a - b).abs() <= 16.0 * f64::EPSILON * a.abs().max(b.abs()),
        "{a} and {b} differ by more than 16 ulps"
    );
}

/// The recorded backward pass of `hvp`: rules run on variables of the same tape, their
/// pullbacks go back in place for the second pass, and the results are those of the
/// polynomial f(x) = x⁴ + 3x² (f' = 4x³ + 6x, f'' = 12x² + 6) to rounding (compared within a
/// few ulps: Miri perturbs floating-point results on purpose).
#[test]
fn hvp_and_jvp_record_the_backward_pass_on_the_tape() {
    fn f<'t>(x: BVar<'t, f64>) -> BVar<'t, f64> {
        x * x * x * x + x * x * 3.0
    }
    for x in [-1.5, 0.0, 2.0] {
        let (y, g, hv) = backprop_core::hvp(f, &x, &0.5);
        assert_close(y, x * x * x * x + 3.0 * x * x);
        assert_close(g, 4.0 * x * x * x + 6.0 * x);
        assert_close(hv, 0.5 * (12.0 * x * x + 6.0));
        let (y2, ju) = backprop_core::jvp(f, &x, &0.5);
        assert_close(y2, y);
        assert_close(ju, 0.5 * g);
    }
    // A constant function: zero gradient and zero Hessian, no node needs a second pass.
    let (_, g, hv) = backprop_core::hvp(
        |x: BVar<'_, f64>| x.tape().constant(2.0) + x * 0.0,
        &1.0,
        &1.0,
    );
    assert_eq!((g, hv), (0.0, 0.0));
}

/// A panic in the recorded backward pass (a first-order-only op) unwinds through the runner;
/// the thread's next tape starts clean.
#[test]
fn a_panic_in_the_recorded_backward_pass_leaves_nothing_behind() {
    let op = || backprop_core::op1(|x: &f64| x.sin(), |x, _y, dy| dy * x.cos());
    let caught = std::panic::catch_unwind(|| {
        backprop_core::hvp(|v| backprop_core::lift1(op(), v) * v, &0.5, &1.0)
    });
    assert!(caught.is_err());
    assert_eq!(grad_bp(|x| x * x, &3.0), 6.0);
    assert_eq!(backprop_core::hvp(|x| x * x * x, &1.0, &1.0).2, 6.0);
}

/// A derived struct to the second order: the Hessian of a function of its fields, through
/// `split`, is checked entry by entry against differences of the gradient.
#[test]
fn derived_structs_differentiate_twice() {
    use backprop_core::check::check_hvp;
    #[derive(Clone, Debug, PartialEq, Backprop, Coords)]
    struct Point {
        x: f64,
        y: f64,
        w: [f64; 2],
    }
    fn f<'t>(p: BVar<'t, Point>) -> BVar<'t, f64> {
        let PointVars { x, y, w } = p.split();
        let [a, b] = w.split();
        (x * y).sin() + a * a * b + (x - b).exp() * y
    }
    let p = Point {
        x: 0.3,
        y: -0.7,
        w: [1.1, 0.4],
    };
    let report = check_hvp(f, &p);
    assert!(report.passes(1e-6) && report.jacobian, "{report}");
}
