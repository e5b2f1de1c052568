//! Reverse-mode automatic differentiation over any type, on an isolated tape.
//!
//! A port of Justin Le's Haskell library [`backprop`]: write a function once over
//! [`BVar`]s, then run it ([`eval_bp`]) or differentiate it ([`grad_bp`], [`backprop`]).
//! Values of any type implementing [`Backprop`] flow through: scalars, tuples, arrays, `Vec`s,
//! maps, your own structs (`#[derive(Backprop)]`), and the matrices of `backprop-linalg`.
//!
//! ```
//! use backprop_core::{grad_bp, Backprop, BVar};
//!
//! #[derive(Clone, Debug, PartialEq, Backprop)]
//! struct Params { w: f64, b: f64 }
//!
//! // Squared error of a line through (2, 1).
//! fn loss<'t>(p: BVar<'t, Params>) -> BVar<'t, f64> {
//!     let ParamsVars { w, b } = p.split();
//!     let err = w * 2.0 + b - 1.0;
//!     err * err
//! }
//!
//! let g = grad_bp(loss, &Params { w: 1.0, b: 0.0 });
//! assert_eq!(g, Params { w: 4.0, b: 2.0 });
//! ```
//!
//! # The tape
//!
//! Each differentiation records onto its own [`Tape`], lent to your closure under a fresh
//! lifetime `'t` (`for<'t> FnOnce(BVar<'t, A>) -> BVar<'t, B>`). A `BVar<'t, _>` cannot escape
//! the closure or meet a variable of another tape: the compiler rejects both, the way Haskell's
//! rank-2 `forall s.` does. Values are stored once and read by reference ([`BVar::value`]);
//! inputs are borrowed, not cloned.
//!
//! # Where things are
//!
//! - [`Backprop`] and its instances: `backprop.rs`; `#[derive(Backprop)]` from `backprop-derive`.
//! - [`BVar`], [`Tape`] and the backward pass: `bvar.rs`, `tape.rs`; running: `run.rs`; the
//!   per-thread storage a tape reuses: `storage.rs`.
//! - [`Conjugate`], what `*` and `/` need of complex types: `conjugate.rs`.
//! - Operators: `arith.rs`; elementary functions ([`Floating`]): `floating.rs`.
//! - Custom operations ([`Op`], [`op1`], [`lift1`], [`iso_var`], [`Tape::record`]): `op.rs`.
//! - Parts of composite values ([`Split`], [`BVar::view`]): `split.rs`.
//! - The gradient checker ([`check`]) and [`Coords`]; its second-order checks
//!   [`check::check_hvp`], [`check::check_jvp`].
//! - The second order: [`hvp`] and [`jvp`] (`run.rs`), rules written once for every order
//!   ([`Tape::record_rule`], [`Pull`], [`Val`]: `pull.rs`) and the recorded backward pass
//!   (`tape.rs`).
//!
//! # The second order
//!
//! [`hvp`] gives the Hessian-vector product `∇²f(x)·v` of a scalar function with its gradient;
//! [`jvp`] the directional derivative `J(x)·u` of any function. Both are exact to rounding: the
//! backward pass is itself recorded and differentiated, through the same rules.
//!
//! ```
//! use backprop_core::{hvp, Backprop, BVar};
//!
//! #[derive(Clone, Debug, PartialEq, Backprop)]
//! struct Params { w: f64, b: f64 }
//!
//! // f = (2w + b − 1)²: ∇²f = 2·[[4, 2], [2, 1]].
//! fn loss<'t>(p: BVar<'t, Params>) -> BVar<'t, f64> {
//!     let ParamsVars { w, b } = p.split();
//!     let err = w * 2.0 + b - 1.0;
//!     err * err
//! }
//!
//! let (_, _, hv) = hvp(loss, &Params { w: 1.0, b: 0.0 }, &Params { w: 1.0, b: 0.0 });
//! assert_eq!(hv, Params { w: 8.0, b: 4.0 });
//! ```
//!
//! [`backprop`]: https://hackage.haskell.org/package/backprop

// The derive macros name this crate `::backprop_core`, also inside its own tests and doctests.
extern crate self as backprop_core;

mod arith;
mod backprop;
mod bvar;
pub mod check;
mod conjugate;
mod coords;
mod floating;
mod op;
mod pull;
mod run;
mod split;
mod storage;
mod tape;

pub use crate::arith::{RefAdd, RefDiv, RefMul, RefNeg, RefSub};
pub use crate::backprop::Backprop;
pub use crate::bvar::BVar;
pub use crate::conjugate::Conjugate;
pub use crate::coords::Coords;
pub use crate::floating::{Elementary, Floating, logistic, sign};
pub use crate::op::{FnOp, Op, OpInputs, iso_var, lift1, lift2, lift3, op1, op2, op3};
pub use crate::pull::{Pull, Val};
pub use crate::run::{
    backprop, backprop_data, backprop_with, backprop2, eval_bp, eval_bp_data, eval_bp2, grad_bp,
    grad_bp_data, grad_bp2, hvp, hvp_data, jvp, release_storage,
};
pub use crate::split::{FieldGrads, Fields, Join, Split};
pub use crate::tape::{Backward, Tape, VarId};

/// `#[derive(Backprop)]`: field-wise [`Backprop`] for structs and tuple structs, plus
/// [`Split`] with a companion `…Vars` struct holding one [`BVar`] per field.
pub use backprop_derive::Backprop;
/// `#[derive(Coords)]`: field-wise [`Coords`], so the gradient checker can perturb the type.
pub use backprop_derive::Coords;
