//! User-defined differentiable operations: the [`Op`] trait, closure-built ops ([`op1`],
//! [`op2`], [`op3`]), applying them to variables ([`lift1`], [`lift2`], [`lift3`]) and
//! isomorphisms ([`iso_var`]).
//!
//! An op is a forward function and its vector-Jacobian product (VJP): given the inputs `x`,
//! the output `y = f(x)` and the output's cotangent `ȳ`, the backward function returns
//! `x̄ = ȳᵀ ∂f/∂x` for each input. Check a new op with
//! [`check_gradient`](crate::check::check_gradient):
//!
//! ```
//! use backprop_core::{check::check_gradient, lift1, op1};
//!
//! // softplus(x) = ln(1 + eˣ); d/dx = 1 / (1 + e⁻ˣ)
//! let softplus = || op1(|x: &f64| x.exp().ln_1p(), |x, _y, dy| dy / (1.0 + (-x).exp()));
//! let report = check_gradient(|x| lift1(softplus(), x), &0.3);
//! assert!(report.max_error < 1e-8, "{report}");
//! ```
//!
//! Ops that must skip the gradient of constant inputs, keep intermediate results of the
//! forward pass, or accumulate gradients in place are written with
//! [`Tape::record`](crate::Tape::record) instead.

use std::marker::PhantomData;
use std::rc::Rc;

use crate::{BVar, Backprop};

/// A differentiable operation on a tuple of inputs `I` (`(A,)`, `(A, B)`, `(A, B, C)`, ...).
///
/// ```
/// use backprop_core::{grad_bp2, Op};
///
/// /// The hypotenuse √(a² + b²), with ∂/∂a = a/h and ∂/∂b = b/h.
/// struct Hypot;
///
/// impl Op<(f64, f64)> for Hypot {
///     type Output = f64;
///     fn forward(&self, (a, b): (&f64, &f64)) -> f64 {
///         a.hypot(*b)
///     }
///     fn backward(&self, (a, b): (&f64, &f64), h: &f64, dh: f64) -> (f64, f64) {
///         (dh * a / h, dh * b / h)
///     }
/// }
///
/// let g = grad_bp2(|a, b| Hypot.apply((a, b)), &3.0, &4.0);
/// assert_eq!(g, (0.6, 0.8));
/// ```
pub trait Op<I: OpInputs>: 'static {
    /// The output type.
    type Output: Backprop;

    /// The output at `inputs`.
    fn forward(&self, inputs: I::Refs<'_>) -> Self::Output;

    /// The vector-Jacobian product: the cotangent of every input, given the inputs, the output
    /// and the output's cotangent.
    fn backward(&self, inputs: I::Refs<'_>, output: &Self::Output, cotangent: Self::Output) -> I;

    /// Applies the op to variables (Haskell's `liftOp`).
    fn apply<'t>(self, inputs: I::Vars<'t>) -> BVar<'t, Self::Output>
    where
        Self: Sized,
    {
        I::apply(self, inputs)
    }
}

/// Tuples of input types an [`Op`] can take.
pub trait OpInputs: Backprop {
    /// The inputs' values, borrowed: `(&A, &B, ...)`.
    type Refs<'a>;
    /// The inputs as variables: `(BVar<'t, A>, BVar<'t, B>, ...)`.
    type Vars<'t>;

    /// Records `op` applied to `vars`.
    fn apply<'t, O: Op<Self>>(op: O, vars: Self::Vars<'t>) -> BVar<'t, O::Output>;
}

macro_rules! impl_op_inputs {
    ($($name:ident $var:ident $idx:tt),+) => {
        impl<$($name: Backprop),+> OpInputs for ($($name,)+) {
            type Refs<'a> = ($(&'a $name,)+);
            type Vars<'t> = ($(BVar<'t, $name>,)+);

            fn apply<'t, O: Op<Self>>(op: O, vars: Self::Vars<'t>) -> BVar<'t, O::Output> {
                let ($($var,)+) = vars;
                let requires_grad = false $(|| $var.requires_grad())+;
                let value = op.forward(($($var.value(),)+));
                let ids = ($($var.id(),)+);
                vars.0.tape().record(value, requires_grad, move |ctx, out, dy| {
                    let grads = op.backward(($(ctx.value(ids.$idx),)+), out, dy);
                    $(ctx.add(ids.$idx, grads.$idx);)+
                })
            }
        }
    };
}

impl_op_inputs!(A a 0);
impl_op_inputs!(A a 0, B b 1);
impl_op_inputs!(A a 0, B b 1, C c 2);
impl_op_inputs!(A a 0, B b 1, C c 2, D d 3);

/// An [`Op`] made of two closures, built by [`op1`], [`op2`] or [`op3`].
pub struct FnOp<Sig, F, G> {
    forward: F,
    backward: G,
    _signature: PhantomData<Sig>,
}

/// An op of one input from its forward function and its VJP `(x, y, ȳ) ↦ x̄`
/// (Haskell's `op1`, with the VJP given the input and output instead of closing over them).
pub fn op1<A, B, F, G>(forward: F, backward: G) -> FnOp<fn(A) -> B, F, G>
where
    F: Fn(&A) -> B + 'static,
    G: Fn(&A, &B, B) -> A + 'static,
{
    FnOp {
        forward,
        backward,
        _signature: PhantomData,
    }
}

/// An op of two inputs: forward `(x, y) ↦ z` and VJP `(x, y, z, z̄) ↦ (x̄, ȳ)`.
pub fn op2<A, B, C, F, G>(forward: F, backward: G) -> FnOp<fn(A, B) -> C, F, G>
where
    F: Fn(&A, &B) -> C + 'static,
    G: Fn(&A, &B, &C, C) -> (A, B) + 'static,
{
    FnOp {
        forward,
        backward,
        _signature: PhantomData,
    }
}

/// An op of three inputs: forward `(x, y, z) ↦ w` and VJP `(x, y, z, w, w̄) ↦ (x̄, ȳ, z̄)`.
// The `fn(..)` in the return type only names the signature the closures implement.
#[allow(clippy::type_complexity)]
pub fn op3<A, B, C, D, F, G>(forward: F, backward: G) -> FnOp<fn(A, B, C) -> D, F, G>
where
    F: Fn(&A, &B, &C) -> D + 'static,
    G: Fn(&A, &B, &C, &D, D) -> (A, B, C) + 'static,
{
    FnOp {
        forward,
        backward,
        _signature: PhantomData,
    }
}

impl<A, B, F, G> Op<(A,)> for FnOp<fn(A) -> B, F, G>
where
    A: Backprop,
    B: Backprop,
    F: Fn(&A) -> B + 'static,
    G: Fn(&A, &B, B) -> A + 'static,
{
    type Output = B;
    fn forward(&self, (a,): (&A,)) -> B {
        (self.forward)(a)
    }
    fn backward(&self, (a,): (&A,), y: &B, dy: B) -> (A,) {
        ((self.backward)(a, y, dy),)
    }
}

impl<A, B, C, F, G> Op<(A, B)> for FnOp<fn(A, B) -> C, F, G>
where
    A: Backprop,
    B: Backprop,
    C: Backprop,
    F: Fn(&A, &B) -> C + 'static,
    G: Fn(&A, &B, &C, C) -> (A, B) + 'static,
{
    type Output = C;
    fn forward(&self, (a, b): (&A, &B)) -> C {
        (self.forward)(a, b)
    }
    fn backward(&self, (a, b): (&A, &B), y: &C, dy: C) -> (A, B) {
        (self.backward)(a, b, y, dy)
    }
}

impl<A, B, C, D, F, G> Op<(A, B, C)> for FnOp<fn(A, B, C) -> D, F, G>
where
    A: Backprop,
    B: Backprop,
    C: Backprop,
    D: Backprop,
    F: Fn(&A, &B, &C) -> D + 'static,
    G: Fn(&A, &B, &C, &D, D) -> (A, B, C) + 'static,
{
    type Output = D;
    fn forward(&self, (a, b, c): (&A, &B, &C)) -> D {
        (self.forward)(a, b, c)
    }
    fn backward(&self, (a, b, c): (&A, &B, &C), y: &D, dy: D) -> (A, B, C) {
        (self.backward)(a, b, c, y, dy)
    }
}

/// Applies a one-input op to a variable (Haskell's `liftOp1`).
pub fn lift1<'t, A: Backprop, O: Op<(A,)>>(op: O, x: BVar<'t, A>) -> BVar<'t, O::Output> {
    op.apply((x,))
}

/// Applies a two-input op (Haskell's `liftOp2`).
pub fn lift2<'t, A: Backprop, B: Backprop, O: Op<(A, B)>>(
    op: O,
    x: BVar<'t, A>,
    y: BVar<'t, B>,
) -> BVar<'t, O::Output> {
    op.apply((x, y))
}

/// Applies a three-input op (Haskell's `liftOp3`).
pub fn lift3<'t, A: Backprop, B: Backprop, C: Backprop, O: Op<(A, B, C)>>(
    op: O,
    x: BVar<'t, A>,
    y: BVar<'t, B>,
    z: BVar<'t, C>,
) -> BVar<'t, O::Output> {
    op.apply((x, y, z))
}

/// Maps a variable through an isomorphism (Haskell's `isoVar`): `to` on the way forward, its
/// inverse `from` on the gradient on the way back. The gradient is right when `from` is also
/// `to`'s adjoint, that is, when `to` is linear and preserves the inner product: re-wrapping a
/// newtype, reordering or regrouping a tuple, permuting a vector.
///
/// Differentiable to any order: on a recorded backward pass ([`hvp`](crate::hvp),
/// [`jvp`](crate::jvp)) `from` is applied by the same op with the roles exchanged, so `to` is
/// `from`'s adjoint in turn. Both functions are therefore kept (`Fn + 'static`).
///
/// ```
/// use backprop_core::{grad_bp, iso_var};
/// // (a, b) ↦ (b, a), then take the first: d/d(a, b) = (0, 1)
/// let g = grad_bp(
///     |p| iso_var(p, |&(a, b): &(f64, f64)| (b, a), |(b, a)| (a, b)).view(|q| &q.0, |q| &mut q.0),
///     &(1.0, 2.0),
/// );
/// assert_eq!(g, (0.0, 1.0));
/// ```
#[doc(alias = "isoVar")]
pub fn iso_var<'t, A: Backprop, B: Backprop>(
    x: BVar<'t, A>,
    to: impl Fn(&A) -> B + 'static,
    from: impl Fn(B) -> A + 'static,
) -> BVar<'t, B> {
    Iso {
        to: Rc::new(to),
        from: Rc::new(from),
    }
    .apply(x)
}

/// An isomorphism and its inverse, shared so that the inverse's own recorded op (the adjoint)
/// can use them with the roles exchanged.
struct Iso<A, B> {
    to: Rc<dyn Fn(&A) -> B>,
    from: Rc<dyn Fn(B) -> A>,
}

impl<A: Backprop, B: Backprop> Iso<A, B> {
    /// The same pair, the other way round (`from` by reference: it clones its argument).
    fn inverse(&self) -> Iso<B, A> {
        let (to, from) = (Rc::clone(&self.to), Rc::clone(&self.from));
        Iso {
            to: Rc::new(move |b: &B| from(b.clone())),
            from: Rc::new(move |a: A| to(&a)),
        }
    }

    /// `to(x)`, recorded with `from` as its rule.
    fn apply<'t>(self, x: BVar<'t, A>) -> BVar<'t, B> {
        let id = x.id();
        let value = (self.to)(x.value());
        x.tape()
            .record_rule(value, x.requires_grad(), move |cx, _, dy| {
                let from = Rc::clone(&self.from);
                let grad = dy.map(|dy| from(dy.into_owned()), |dy| self.inverse().apply(dy));
                cx.add(id, grad);
            })
    }
}
