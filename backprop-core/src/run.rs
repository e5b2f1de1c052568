//! Running and differentiating functions written over [`BVar`]s.
//!
//! Each call makes its own tape, lends it to the closure as a fresh brand `'t`, and drops it
//! before returning. Inputs are borrowed: nothing is cloned on the way in. The output value is
//! cloned once on the way out.

use crate::storage::Storage;
use crate::tape::{Gradients, Tape};
use crate::{BVar, Backprop};

/// `with_tape!(|tape| body)`: runs `body` with `tape` a new tape (`with_tape!(records = false,
/// |tape| body)`: one that only evaluates, see [`Tape::new`]) on the thread's storage, then
/// resets the storage and passes it on to the next tape of this thread (`body` evaluates to
/// `(result, Option<Gradients>)`, the gradients if it ran a backward pass, whose array is kept
/// too). A macro rather than a function taking a closure, because the tape's brand must be
/// allowed to borrow the runner's inputs.
macro_rules! with_tape {
    (|$tape:ident| $body:expr) => {
        with_tape!(records = true, |$tape| $body)
    };
    (records = $records:expr, |$tape:ident| $body:expr) => {{
        let mut storage = Storage::take();
        let nodes = storage.take_nodes();
        let (out, nodes) = {
            let $tape = Tape::new(&storage.values, nodes, $records);
            let (out, gradients): (_, Option<Gradients>) = $body;
            (out, $tape.take_nodes(gradients))
        };
        storage.reset(nodes);
        storage.give_back();
        out
    }};
}

/// Runs `f` at `x` without differentiating it (Haskell's `evalBP`).
///
/// Nothing is recorded for a backward pass (no node, no pullback): the cost is that of `f` on
/// plain values plus storing each intermediate once.
///
/// ```
/// use backprop_core::eval_bp;
/// assert_eq!(eval_bp(|x| x * x + 1.0, &3.0), 10.0);
/// ```
pub fn eval_bp<A, B, F>(f: F, x: &A) -> B
where
    A: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>) -> BVar<'t, B>,
{
    with_tape!(records = false, |tape| {
        let y = f(tape.constant_ref(x));
        (y.value().clone(), None)
    })
}

/// The gradient of `f` at `x` (Haskell's `gradBP`): the output is seeded with
/// [`Backprop::one`] of itself, so for a scalar output this is the usual gradient.
///
/// ```
/// use backprop_core::grad_bp;
/// assert_eq!(grad_bp(|x| x * x, &3.0), 6.0);
/// ```
pub fn grad_bp<A, B, F>(f: F, x: &A) -> A
where
    A: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>) -> BVar<'t, B>,
{
    backprop(f, x).1
}

/// The value of `f` at `x` and its gradient (Haskell's `backprop`).
///
/// ```
/// use backprop_core::backprop;
/// assert_eq!(backprop(|x| x * x, &3.0), (9.0, 6.0));
/// ```
pub fn backprop<A, B, F>(f: F, x: &A) -> (B, A)
where
    A: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>) -> BVar<'t, B>,
{
    run_with(f, x, Backprop::one)
}

/// The value of `f` at `x` and the vector-Jacobian product with the given output cotangent
/// `seed` (Haskell's `backpropWith`): `x̄ = seedᵀ · ∂f/∂x`.
///
/// ```
/// use backprop_core::{backprop_with, Join};
/// // f(x) = (x², 3x); cotangent (1, 10) gives 2x + 30.
/// let (y, g) = backprop_with(
///     |x| (x * x, x * 3.0).join(),
///     &2.0,
///     (1.0, 10.0),
/// );
/// assert_eq!(y, (4.0, 6.0));
/// assert_eq!(g, 34.0);
/// ```
pub fn backprop_with<A, B, F>(f: F, x: &A, seed: B) -> (B, A)
where
    A: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>) -> BVar<'t, B>,
{
    run_with(f, x, move |_| seed)
}

fn run_with<A, B, F>(f: F, x: &A, seed: impl FnOnce(&B) -> B) -> (B, A)
where
    A: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>) -> BVar<'t, B>,
{
    with_tape!(|tape| {
        let input = tape.input(x);
        let y = f(input);
        let out = y.value().clone();
        let mut grads = tape.backward(y.id(), seed(&out));
        let gx = grads.take(input);
        ((out, gx), Some(grads))
    })
}

/// The Hessian-vector product `∇²f(x)·v` of a scalar function `f`, exact to rounding, with
/// the value `f(x)` and the gradient `∇f(x)` (returned as `(f(x), ∇f(x), ∇²f(x)·v)`).
///
/// The backward pass is itself recorded (every rule recorded with
/// [`Tape::record_rule`](crate::Tape::record_rule) runs on tape variables, see
/// [`Pull`](crate::Pull)), so the gradient is a variable on the tape; a second backward pass
/// from it, seeded with `v`, gives `∂⟨∇f(x), v⟩/∂x = ∇²f(x)·v` (reverse over reverse, PyTorch's
/// `create_graph`). It costs a forward pass, a recorded backward pass and a backward pass
/// through both: a few gradients. `v` has the type and shape of `x`; for an `f` whose output
/// is not a scalar, the output is seeded with [`Backprop::one`] as in [`grad_bp`].
///
/// # Panics
/// If `f` uses an operation whose gradient is first-order only (recorded with
/// [`Tape::record`](crate::Tape::record): a user's [`Op`](crate::Op)).
///
/// ```
/// use backprop_core::hvp;
/// // f(x) = x³ + x·sin x: f' = 3x² + sin x + x·cos x, f'' = 6x + 2·cos x − x·sin x.
/// let x = 0.5f64;
/// let (value, grad, hv) = hvp(|x| x * x * x + x * x.sin(), &x, &2.0);
/// assert!((value - (x.powi(3) + x * x.sin())).abs() < 1e-15);
/// assert!((grad - (3.0 * x * x + x.sin() + x * x.cos())).abs() < 1e-15);
/// assert!((hv - 2.0 * (6.0 * x + 2.0 * x.cos() - x * x.sin())).abs() < 1e-14);
/// ```
pub fn hvp<A, B, F>(f: F, x: &A, v: &A) -> (B, A, A)
where
    A: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>) -> BVar<'t, B>,
{
    hvp_data(|x, _: BVar<'_, ()>| f(x), x, &(), v)
}

/// [`hvp`] of `f` at `x` with `data` on the tape as a borrowed constant (see [`eval_bp_data`]):
/// `(f(x), ∇f(x), ∇²f(x)·v)`, derivatives with respect to `x` only.
///
/// ```
/// use backprop_core::hvp_data;
/// // f(w) = (w·a − t)² with data (a, t) = (3, 5): f'' = 2a² = 18.
/// let (y, g, hv) = hvp_data(
///     |w, d| {
///         let (a, t) = d.split();
///         let e = w * a - t;
///         e * e
///     },
///     &2.0,
///     &(3.0, 5.0),
///     &1.0,
/// );
/// assert_eq!((y, g, hv), (1.0, 6.0, 18.0));
/// ```
pub fn hvp_data<A, D, B, F>(f: F, x: &A, data: &D, v: &A) -> (B, A, A)
where
    A: Backprop,
    D: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>, BVar<'t, D>) -> BVar<'t, B>,
{
    with_tape!(|tape| {
        tape.enable_second_order();
        let input = tape.input(x);
        let y = f(input, tape.constant_ref(data));
        let out = y.value().clone();
        let seed = tape.constant(out.one());
        let gradient = tape.backward_recorded(y, seed).take(input);
        let grad = gradient.value().clone();
        let mut grads = tape.backward(gradient.id(), v.clone());
        let hv = grads.take(input);
        ((out, grad, hv), Some(grads))
    })
}

/// The Jacobian-vector product `J(x)·u` of `f` (its directional derivative along `u`), exact
/// to rounding, with the value: `(f(x), J(x)·u)`, for any input and output types.
///
/// Computed from the rules as they are stated, by transposition: the backward pass with a
/// cotangent `w` is recorded, which gives `Jᵀw` as a function on the tape that is linear in
/// `w`; a second backward pass from it, seeded with `u`, gives `∂⟨Jᵀw, u⟩/∂w = J·u` (the
/// "double vector-Jacobian product", as PyTorch's `autograd.functional.jvp`). It costs about
/// three gradients; see [`hvp`] for what it requires of `f`.
///
/// ```
/// use backprop_core::jvp;
/// // f(x) = x²·sin x along u = 2: f'(x)·2 = (2x·sin x + x²·cos x)·2.
/// let (y, ju) = jvp(|x| x * x * x.sin(), &0.5f64, &2.0);
/// assert_eq!(y, 0.25 * 0.5f64.sin());
/// assert!((ju - 2.0 * (0.5f64.sin() + 0.25 * 0.5f64.cos())).abs() < 1e-15);
/// ```
pub fn jvp<A, B, F>(f: F, x: &A, u: &A) -> (B, B)
where
    A: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>) -> BVar<'t, B>,
{
    with_tape!(|tape| {
        tape.enable_second_order();
        let input = tape.input(x);
        let y = f(input);
        let out = y.value().clone();
        // The cotangent, an input of its own: the recorded gradient is linear in it.
        let w = tape.input_owned(out.zero());
        let gradient = tape.backward_recorded(y, w).take(input);
        let mut grads = tape.backward(gradient.id(), u.clone());
        let ju = grads.take(w);
        ((out, ju), Some(grads))
    })
}

/// Runs a function of two inputs (Haskell's `evalBP2`).
pub fn eval_bp2<A, B, C, F>(f: F, x: &A, y: &B) -> C
where
    A: Backprop,
    B: Backprop,
    C: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>, BVar<'t, B>) -> BVar<'t, C>,
{
    with_tape!(records = false, |tape| {
        let z = f(tape.constant_ref(x), tape.constant_ref(y));
        (z.value().clone(), None)
    })
}

/// The gradients of a function of two inputs (Haskell's `gradBP2`).
///
/// ```
/// use backprop_core::grad_bp2;
/// assert_eq!(grad_bp2(|x, y| x * y, &3.0, &4.0), (4.0, 3.0));
/// ```
pub fn grad_bp2<A, B, C, F>(f: F, x: &A, y: &B) -> (A, B)
where
    A: Backprop,
    B: Backprop,
    C: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>, BVar<'t, B>) -> BVar<'t, C>,
{
    backprop2(f, x, y).1
}

/// Value and gradients of a function of two inputs (Haskell's `backprop2`). For more inputs,
/// pass a tuple and [`split`](crate::BVar::split) it.
pub fn backprop2<A, B, C, F>(f: F, x: &A, y: &B) -> (C, (A, B))
where
    A: Backprop,
    B: Backprop,
    C: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>, BVar<'t, B>) -> BVar<'t, C>,
{
    let (out, gx, gy) = run2(f, x, y, true);
    (out, (gx, gy.expect("the second input was differentiated")))
}

/// Runs `f` on two inputs and differentiates it with respect to the first, and to the second
/// when `differentiate_y` (otherwise `y` is a borrowed constant and gets no gradient).
fn run2<A, B, C, F>(f: F, x: &A, y: &B, differentiate_y: bool) -> (C, A, Option<B>)
where
    A: Backprop,
    B: Backprop,
    C: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>, BVar<'t, B>) -> BVar<'t, C>,
{
    with_tape!(|tape| {
        let vx = tape.input(x);
        let vy = if differentiate_y {
            tape.input(y)
        } else {
            tape.constant_ref(y)
        };
        let z = f(vx, vy);
        let out = z.value().clone();
        let mut grads = tape.backward(z.id(), out.one());
        let gx = grads.take(vx);
        let gy = differentiate_y.then(|| grads.take(vy));
        ((out, gx, gy), Some(grads))
    })
}

/// Runs `f` at `x` with `data` on the tape as a constant, borrowed rather than cloned.
///
/// A closure differentiated by [`grad_bp`] cannot borrow outside values onto its tape (its
/// lifetime `'t` is universally quantified), and cloning training data into a constant on
/// every call costs a copy. Pass such data here instead: it reaches `f` as a second variable,
/// which receives no gradient.
///
/// ```
/// use backprop_core::eval_bp_data;
/// // Squared error of a prediction 2·w against a target from the data.
/// let data = (3.0, 5.0); // (input, target)
/// let y = eval_bp_data(
///     |w, d| {
///         let (x, t) = d.split();
///         let e = w * x - t;
///         e * e
///     },
///     &2.0,
///     &data,
/// );
/// assert_eq!(y, 1.0);
/// ```
pub fn eval_bp_data<A, D, B, F>(f: F, x: &A, data: &D) -> B
where
    A: Backprop,
    D: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>, BVar<'t, D>) -> BVar<'t, B>,
{
    eval_bp2(f, x, data)
}

/// The gradient of `f` at `x`, with `data` on the tape as a borrowed constant (see
/// [`eval_bp_data`]).
pub fn grad_bp_data<A, D, B, F>(f: F, x: &A, data: &D) -> A
where
    A: Backprop,
    D: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>, BVar<'t, D>) -> BVar<'t, B>,
{
    backprop_data(f, x, data).1
}

/// Value and gradient of `f` at `x`, with `data` on the tape as a borrowed constant (see
/// [`eval_bp_data`]).
///
/// ```
/// use backprop_core::backprop_data;
/// let data = (3.0, 5.0);
/// let (y, g) = backprop_data(
///     |w, d| {
///         let (x, t) = d.split();
///         let e = w * x - t;
///         e * e
///     },
///     &2.0,
///     &data,
/// );
/// assert_eq!((y, g), (1.0, 6.0));
/// ```
pub fn backprop_data<A, D, B, F>(f: F, x: &A, data: &D) -> (B, A)
where
    A: Backprop,
    D: Backprop,
    B: Backprop,
    F: for<'t> FnOnce(BVar<'t, A>, BVar<'t, D>) -> BVar<'t, B>,
{
    let (out, gx, _) = run2(f, x, data, false);
    (out, gx)
}

/// Frees what this thread keeps between differentiations: the value arena and the node and
/// gradient arrays of its last tape.
///
/// A thread that differentiates keeps these so the next differentiation starts with storage
/// of the right size; they are freed when the thread exits. Call this after a large one-off
/// differentiation on a long-lived thread to give the memory back sooner. The next
/// differentiation on the thread allocates afresh.
///
/// ```
/// use backprop_core::{grad_bp, release_storage};
///
/// assert_eq!(grad_bp(|x| x * x, &3.0), 6.0);
/// release_storage();
/// assert_eq!(grad_bp(|x| x * x, &3.0), 6.0);
/// ```
pub fn release_storage() {
    Storage::release();
}
