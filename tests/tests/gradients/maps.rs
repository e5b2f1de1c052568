//! Mappers and zippers: `vmap`, `mmap`, `zip_with_vector` with closures capturing outer
//! variables, their isolated forms (`vmap_`, `mmap_`, `zip_with_vector_`) and their closed forms
//! (`dvmap`, `dmmap`, `dzip_with_vector`), which must agree on values.

use backprop_linalg::{
    BVar, L, R, dmmap, dvmap, dzip_with_vector, eval_bp, mmap, mmap_, sum_elements, vmap, vmap_,
    zip_with_vector, zip_with_vector_,
};
use backprop_linalg::{Backend, Elementary};
use backprop_tests::gradcheck::{grad_ok, hvp_ok, jvp_ok, matrix, real, real_scalar, run, vector};
use proptest::prelude::prop_assert_eq;
use typenum::{U2, U3, U5};

/// Two vectors and a matrix.
type MapInputs<B> = (R<U2, B>, L<U2, U2, B>, R<U2, B>);

/// A curved scalar through every map and zip (see `maps_second_order`).
fn through_maps<'t, B: Backend>(v: BVar<'t, MapInputs<B>>) -> BVar<'t, B::Real> {
    let (x, a, y) = v.split();
    let s = sum_elements(x);
    let outer = vmap(|e| e.sin() * s, x) + zip_with_vector(|p, q| p * q.cos() * s, x, y);
    let isolated = vmap_(|e| e.sin() * e + e * e * e, x)
        + zip_with_vector_(|p, q| p * q.sin() + q * q * p, x, y);
    let deferred = dvmap(|e| e.exp() / (e * e + real::<B>(1.0)), y)
        + dzip_with_vector(|p, q| (p * q).tanh() - p * p * q, y, x);
    let m = mmap(|e| e * e * s, a) + mmap_(|e| e.cos() * e, a) + dmmap(|e| e.sin() * e * e, a);
    // Each form bounded on its own: a product of them would be a polynomial of degree six,
    // whose third derivatives swamp single-precision central differences.
    sum_elements(outer.sin() + isolated.tanh() + deferred.sin()) + sum_elements(m.tanh())
}

backprop_tests::cases! {
    fn maps_second_order<B: Backend>() {
        // Every form to the second order, each between curved functions: the outer forms
        // through the entries as scalar variables; the isolated forms with second derivatives
        // taken in the forward pass (the tape's backward pass will be recorded); the deferred
        // forms with them taken in the backward pass. Full Hessians, and forward mode.
        run((vector::<U2, B>(), matrix::<U2, U2, B>(), vector::<U2, B>()), |p| {
            hvp_ok(through_maps::<B>, &p)?;
            jvp_ok(through_maps::<B>, &p)
        });
    }
    fn vmap_capturing_outer_variables_3<B: Backend>() {
        run((vector::<U3, B>(), real_scalar::<B>(), real_scalar::<B>()), |xab| {
            grad_ok(
                |v| {
                    let (x, a, b) = v.split();
                    vmap(|e| e.sin() * a + e * e * b, x)
                },
                &xab,
            )
        });
    }
    fn vmap_closed_5<B: Backend>() {
        run(vector::<U5, B>(), |x| {
            grad_ok(|x| vmap(|e| e.tanh() * e, x), &x)
        });
    }
    fn vmap_isolated_3<B: Backend>() {
        run(vector::<U3, B>(), |x| {
            grad_ok(|x| vmap_(|e| e.sin() * e + e * e * e, x), &x)
        });
    }
    fn dvmap_3<B: Backend>() {
        run(vector::<U3, B>(), |x| {
            grad_ok(|x| dvmap(|e| e.exp() / (e * e + real::<B>(1.0)), x), &x)
        });
    }
    fn mmap_capturing_outer_variable_3x2<B: Backend>() {
        run((matrix::<U3, U2, B>(), real_scalar::<B>()), |xa| {
            grad_ok(
                |v| {
                    let (x, a) = v.split();
                    mmap(|e| (e * a).cos() + a, x)
                },
                &xa,
            )
        });
    }
    fn mmap_isolated_2x3<B: Backend>() {
        run(matrix::<U2, U3, B>(), |x| {
            grad_ok(|x| mmap_(|e| e.cos() * e, x), &x)
        });
    }
    fn dmmap_5x2<B: Backend>() {
        run(matrix::<U5, U2, B>(), |x| {
            grad_ok(|x| dmmap(|e| e.atan() * e, x), &x)
        });
    }
    fn zip_with_vector_capturing_outer_variable_3<B: Backend>() {
        run(
            (vector::<U3, B>(), vector::<U3, B>(), real_scalar::<B>()),
            |xya| {
                grad_ok(
                    |v| {
                        let (x, y, a) = v.split();
                        zip_with_vector(|p, q| p * q * a + (p - a).sin(), x, y)
                    },
                    &xya,
                )
            },
        );
    }
    fn zip_with_vector_isolated_3<B: Backend>() {
        run((vector::<U3, B>(), vector::<U3, B>()), |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    zip_with_vector_(|p, q| p * q.sin() + q * q, x, y)
                },
                &xy,
            )
        });
    }
    fn dzip_with_vector_5<B: Backend>() {
        run((vector::<U5, B>(), vector::<U5, B>()), |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    dzip_with_vector(|p, q| (p * q).tanh() - p, x, y)
                },
                &xy,
            )
        });
    }
    fn zip_with_vector_same_vector_twice<B: Backend>() {
        run(vector::<U3, B>(), |x| {
            grad_ok(|x| zip_with_vector_(|p, q| p * q.exp(), x, x), &x)
        });
    }
    /// The three forms agree on values, and the closed forms take their no-gradient path under
    /// `eval_bp`.
    fn map_forms_agree<B: Backend>() {
        run((vector::<U3, B>(), vector::<U3, B>()), |(x, y)| {
            let expected = R::<U3, B>::from_fn(|i| x.get(i).sin() * real::<B>(2.0));
            let a = eval_bp(|x| vmap(|e| e.sin() * real::<B>(2.0), x), &x);
            let b = eval_bp(|x| vmap_(|e| e.sin() * real::<B>(2.0), x), &x);
            let c = eval_bp(|x| dvmap(|e| e.sin() * real::<B>(2.0), x), &x);
            prop_assert_eq!(&a, &expected);
            prop_assert_eq!(&b, &expected);
            prop_assert_eq!(&c, &expected);
            let z = R::<U3, B>::from_fn(|i| x.get(i) * y.get(i) + real::<B>(1.0));
            let zs = [
                backprop_linalg::eval_bp2(|x, y| zip_with_vector(|p, q| p * q + real::<B>(1.0), x, y), &x, &y),
                backprop_linalg::eval_bp2(
                    |x, y| zip_with_vector_(|p, q| p * q + real::<B>(1.0), x, y),
                    &x,
                    &y,
                ),
                backprop_linalg::eval_bp2(
                    |x, y| dzip_with_vector(|p, q| p * q + real::<B>(1.0), x, y),
                    &x,
                    &y,
                ),
            ];
            for zi in &zs {
                prop_assert_eq!(zi, &z);
            }
            Ok(())
        });
    }
}
