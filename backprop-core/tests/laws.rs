//! The `Backprop` laws (see the trait docs), as properties over every instance the crate ships
//! and over derived structs, generic ones included.
//!
//! Floating-point values are drawn as multiples of 1/4 in a small range, so sums are exact and
//! associativity can be checked with `==`.

use std::collections::{BTreeMap, HashMap};

use backprop_core::{Backprop, grad_bp};
use num_complex::Complex;
use proptest::collection::{btree_map, hash_map, vec};
use proptest::prelude::*;

fn quarter() -> impl Strategy<Value = f64> {
    (-4000i32..4000).prop_map(|i| f64::from(i) * 0.25)
}

fn quarter32() -> impl Strategy<Value = f32> {
    (-4000i16..4000).prop_map(|i| f32::from(i) * 0.25)
}

#[derive(Clone, Debug, PartialEq, Backprop)]
struct Layer {
    weights: Vec<f64>,
    bias: f64,
    steps: u32,
}

#[derive(Clone, Debug, PartialEq, Backprop)]
struct Pair<T>(T, T);

#[derive(Clone, Debug, PartialEq, Backprop)]
struct Generic<T, const N: usize> {
    xs: [T; N],
    extra: Option<T>,
}

fn layer() -> impl Strategy<Value = Layer> {
    (vec(quarter(), 0..5), quarter(), 0u32..100).prop_map(|(weights, bias, steps)| Layer {
        weights,
        bias,
        steps,
    })
}

/// Checks every law for three values drawn from one strategy.
macro_rules! laws {
    ($($name:ident: $ty:ty = $strategy:expr;)*) => {$(
        mod $name {
            use super::*;

            proptest! {
                #[test]
                fn zero_is_identity(x in $strategy) {
                    let x: $ty = x;
                    prop_assert_eq!(x.clone().add(x.zero()), x.clone());
                    prop_assert_eq!(x.zero().add(x.clone()), x);
                }

                #[test]
                fn add_commutes(x in $strategy, y in $strategy) {
                    let (x, y): ($ty, $ty) = (x, y);
                    prop_assert_eq!(x.clone().add(y.clone()), y.add(x));
                }

                #[test]
                fn add_associates(x in $strategy, y in $strategy, z in $strategy) {
                    let (x, y, z): ($ty, $ty, $ty) = (x, y, z);
                    prop_assert_eq!(
                        x.clone().add(y.clone()).add(z.clone()),
                        x.add(y.add(z))
                    );
                }

                #[test]
                fn add_assign_is_add(x in $strategy, y in $strategy) {
                    let (x, y): ($ty, $ty) = (x, y);
                    let mut acc = x.clone();
                    acc.add_assign(y.clone());
                    prop_assert_eq!(acc, x.add(y));
                }

                #[test]
                fn zero_and_one_are_idempotent(x in $strategy) {
                    let x: $ty = x;
                    prop_assert_eq!(x.zero().zero(), x.zero());
                    prop_assert_eq!(x.one().one(), x.one());
                }

                #[test]
                fn one_is_gradient_of_identity(x in $strategy) {
                    let x: $ty = x;
                    prop_assert_eq!(grad_bp(|v| v, &x), x.one());
                }
            }
        }
    )*};
}

laws! {
    f64_: f64 = quarter();
    f32_: f32 = quarter32();
    i32_: i32 = -1000i32..1000;
    u8_: u8 = 0u8..80;
    complex: Complex<f64> = (quarter(), quarter()).prop_map(|(re, im)| Complex::new(re, im));
    unit: () = Just(());
    pair: (f64, i64) = (quarter(), -1000i64..1000);
    triple: (f64, Vec<f64>, Option<f64>) =
        (quarter(), vec(quarter(), 0..4), proptest::option::of(quarter()));
    tuple8: (f64, f64, f64, f64, f64, f64, f64, f64) =
        (quarter(), quarter(), quarter(), quarter(), quarter(), quarter(), quarter(), quarter());
    array: [f64; 3] = proptest::array::uniform3(quarter());
    vec_different_lengths: Vec<f64> = vec(quarter(), 0..6);
    nested_vec: Vec<Vec<f64>> = vec(vec(quarter(), 0..3), 0..3);
    option: Option<f64> = proptest::option::of(quarter());
    boxed: Box<f64> = quarter().prop_map(Box::new);
    btree: BTreeMap<u8, f64> = btree_map(0u8..8, quarter(), 0..5);
    hash: HashMap<u8, f64> = hash_map(0u8..8, quarter(), 0..5);
    derived: Layer = layer();
    derived_generic: Pair<Vec<f64>> =
        (vec(quarter(), 0..3), vec(quarter(), 0..3)).prop_map(|(a, b)| Pair(a, b));
    derived_const_generic: Generic<f64, 2> =
        (proptest::array::uniform2(quarter()), proptest::option::of(quarter()))
            .prop_map(|(xs, extra)| Generic { xs, extra });
}

#[test]
fn vec_add_keeps_the_longer_tail() {
    assert_eq!(vec![1.0, 2.0, 3.0].add(vec![10.0]), vec![11.0, 2.0, 3.0]);
    assert_eq!(vec![10.0].add(vec![1.0, 2.0, 3.0]), vec![11.0, 2.0, 3.0]);
}

#[test]
fn maps_add_as_a_union() {
    let a = BTreeMap::from([(1, 1.0), (2, 2.0)]);
    let b = BTreeMap::from([(2, 10.0), (3, 3.0)]);
    assert_eq!(a.add(b), BTreeMap::from([(1, 1.0), (2, 12.0), (3, 3.0)]));
}

#[test]
fn option_none_is_identity() {
    assert_eq!(None.add(Some(2.0)), Some(2.0));
    assert_eq!(Some(2.0).add(None), Some(2.0));
    assert_eq!(Some(1.0).zero(), Some(0.0));
}
