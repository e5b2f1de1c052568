//! Complex and Hermitian ops, checked with the core gradient checker, which perturbs the real
//! and imaginary part of every entry independently (through `Coords`). Under the crate's
//! convention (PyTorch's conjugate Wirtinger: `z̄ = ∂ℓ/∂Re z + i·∂ℓ/∂Im z`) that is exactly the
//! gradient the ops return, so the checker tests the convention directly. A second family writes
//! `dot`, `mul`, `app` and `outer` out in real arithmetic on the (re, im) parts and demands the
//! same gradients; the `Backprop` laws hold for `C`, `M` and `Her`. Gradients with respect to a
//! Hermitian `Her` input are Hermitian (the checker perturbs its coordinates through `Coords`,
//! which hermitises, so it sees only Hermitian directions), and the checker is shown to reject
//! hmatrix-backprop's unconjugated `dot` rule (`checker_rejects_unconjugated_dot`).

use backprop_core::check::{CheckConfig, check_gradient_with};
use backprop_linalg::ComplexBackend;
use backprop_linalg::StaticDim;
use backprop_linalg::{
    BVar, Backprop, C, Coords, Her, Join, M, R, app, app_c, backprop_with, complex, dot, dot_c,
    from_complex, grad_bp, her, imag, m_hm, magnitude, mul, mul_c, outer, outer_c, real,
    sq_magnitude, sum_elements, to_complex, un_her,
};
use backprop_tests::ComplexDouble;
use backprop_tests::gradcheck::{
    complex_matrix, complex_vector, grad_ok, hermitian, hvp_ok, jvp_ok, nonzero_complex_matrix,
    nonzero_complex_vector, nonzero_hermitian, right_half_complex_vector, rounding_tolerance, run,
    vector,
};
use num_complex::Complex64;
use proptest::prelude::{Strategy, prop_assert, prop_assert_eq};
use proptest::test_runner::TestCaseError;
use typenum::{U2, U3, U5};

/// Agreement of two gradients computed along different exact routes (complex ops and their
/// real-arithmetic expansion): only rounding separates them.
fn agree<T: Coords, U: Coords>(a: &T, b: &U) -> Result<(), TestCaseError> {
    let agree = rounding_tolerance::<T, U>();
    let (a, b) = (a.to_coords(), b.to_coords());
    prop_assert_eq!(a.len(), b.len());
    let scale = a.iter().chain(&b).fold(1.0f64, |m, v| m.max(v.abs()));
    for (k, (x, y)) in a.iter().zip(&b).enumerate() {
        prop_assert!(
            (x - y).abs() <= agree * scale,
            "coordinate {}: complex route {} vs real route {}",
            k,
            x,
            y
        );
    }
    Ok(())
}

fn complex_scalar() -> impl Strategy<Value = Complex64> {
    (-2.0f64..2.0, -2.0f64..2.0).prop_map(|(re, im)| Complex64::new(re, im))
}

fn mul_c_case<B, Rows, K, Cols>()
where
    B: ComplexBackend,
    Rows: StaticDim,
    K: StaticDim,
    Cols: StaticDim,
{
    run(
        (
            complex_matrix::<Rows, K, B>(),
            complex_matrix::<K, Cols, B>(),
        ),
        |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    mul_c(a, b)
                },
                &ab,
            )
        },
    );
}

fn app_c_case<B: ComplexBackend, Rows: StaticDim, Cols: StaticDim>() {
    run(
        (
            complex_matrix::<Rows, Cols, B>(),
            complex_vector::<Cols, B>(),
        ),
        |ax| {
            grad_ok(
                |v| {
                    let (a, x) = v.split();
                    app_c(a, x)
                },
                &ax,
            )
        },
    );
}

fn outer_c_case<B: ComplexBackend, Rows: StaticDim, Cols: StaticDim>() {
    run(
        (complex_vector::<Rows, B>(), complex_vector::<Cols, B>()),
        |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    outer_c(x, y)
                },
                &xy,
            )
        },
    );
}

/// `mul_c` against `(Ar + iAi)(Br + iBi) = (ArBr − AiBi) + i(ArBi + AiBr)` in real `mul`s, with
/// the same cotangent `P̄` (as `(Re P̄, Im P̄)` on the real route).
fn mul_c_agrees_case<B, Rows, K, Cols>()
where
    B: ComplexBackend,
    Rows: StaticDim,
    K: StaticDim,
    Cols: StaticDim,
{
    let inputs = (
        complex_matrix::<Rows, K, B>(),
        complex_matrix::<K, Cols, B>(),
        complex_matrix::<Rows, Cols, B>(),
    );
    run(inputs, |(a, b, dp)| {
        let (_, (ga, gb)) = backprop_with(
            |v| {
                let (a, b) = v.split();
                mul_c(a, b)
            },
            &(a.clone(), b.clone()),
            dp.clone(),
        );
        let parts = (a.re(), a.im(), b.re(), b.im());
        let (_, (gar, gai, gbr, gbi)) = backprop_with(
            |v| {
                let (ar, ai, br, bi) = v.split();
                (mul(ar, br) - mul(ai, bi), mul(ar, bi) + mul(ai, br)).join()
            },
            &parts,
            (dp.re(), dp.im()),
        );
        agree(&ga, &M::from_parts(&gar, &gai))?;
        agree(&gb, &M::from_parts(&gbr, &gbi))
    });
}

/// `app_c` against its expansion in real `app`s.
fn app_c_agrees_case<B: ComplexBackend, Rows: StaticDim, Cols: StaticDim>() {
    let inputs = (
        complex_matrix::<Rows, Cols, B>(),
        complex_vector::<Cols, B>(),
        complex_vector::<Rows, B>(),
    );
    run(inputs, |(a, x, dy)| {
        let (_, (ga, gx)) = backprop_with(
            |v| {
                let (a, x) = v.split();
                app_c(a, x)
            },
            &(a.clone(), x.clone()),
            dy.clone(),
        );
        let parts = (a.re(), a.im(), x.re(), x.im());
        let (_, (gar, gai, gxr, gxi)) = backprop_with(
            |v| {
                let (ar, ai, xr, xi) = v.split();
                (app(ar, xr) - app(ai, xi), app(ar, xi) + app(ai, xr)).join()
            },
            &parts,
            (dy.re(), dy.im()),
        );
        agree(&ga, &M::from_parts(&gar, &gai))?;
        agree(&gx, &C::from_parts(&gxr, &gxi))
    });
}

/// `outer_c` against `x·yᵀ = (xr yrᵀ − xi yiᵀ) + i(xr yiᵀ + xi yrᵀ)` in real `outer`s.
fn outer_c_agrees_case<B: ComplexBackend, Rows: StaticDim, Cols: StaticDim>() {
    let inputs = (
        complex_vector::<Rows, B>(),
        complex_vector::<Cols, B>(),
        complex_matrix::<Rows, Cols, B>(),
    );
    run(inputs, |(x, y, da)| {
        let (_, (gx, gy)) = backprop_with(
            |v| {
                let (x, y) = v.split();
                outer_c(x, y)
            },
            &(x.clone(), y.clone()),
            da.clone(),
        );
        let parts = (x.re(), x.im(), y.re(), y.im());
        let (_, (gxr, gxi, gyr, gyi)) = backprop_with(
            |v| {
                let (xr, xi, yr, yi) = v.split();
                (outer(xr, yr) - outer(xi, yi), outer(xr, yi) + outer(xi, yr)).join()
            },
            &parts,
            (da.re(), da.im()),
        );
        agree(&gx, &C::from_parts(&gxr, &gxi))?;
        agree(&gy, &C::from_parts(&gyr, &gyi))
    });
}

/// Backprop laws on values drawn from `strategy`.
fn laws_case<T, S>(strategy: S)
where
    T: Backprop + Coords + PartialEq + std::fmt::Debug,
    S: Strategy<Value = (T, T)>,
{
    run(strategy, |(x, y)| {
        prop_assert_eq!(x.clone().add(x.zero()), x.clone());
        prop_assert_eq!(x.zero().add(x.clone()), x.clone());
        prop_assert_eq!(x.clone().add(y.clone()), y.clone().add(x.clone()));
        prop_assert_eq!(x.zero().zero(), x.zero());
        prop_assert_eq!(x.one().one(), x.one());
        prop_assert!(x.zero().to_coords().iter().all(|&c| c == 0.0));
        // `one` is 1 + 0i in every entry: coordinates alternate 1, 0.
        let one = x.one().to_coords();
        prop_assert!(one.chunks(2).all(|c| c == [1.0, 0.0]), "{:?}", one);
        prop_assert_eq!(grad_bp(|v| v, &x), x.one());
        let mut acc = x.clone();
        acc.add_assign(y.clone());
        prop_assert_eq!(acc, x.add(y));
        Ok(())
    });
}

/// `Σ conj(xₖ)·yₖ` with hmatrix-backprop's complex-blind rule `x̄ = s̄·y`, `ȳ = s̄·x`.
fn wrong_dot<'t, B: ComplexDouble>(
    x: backprop_linalg::BVar<'t, C<U3, B>>,
    y: backprop_linalg::BVar<'t, C<U3, B>>,
) -> backprop_linalg::BVar<'t, Complex64> {
    let s = (0..3).fold(Complex64::new(0.0, 0.0), |acc, k| {
        acc + x.value().get(k).conj() * y.value().get(k)
    });
    let (ix, iy) = (x.id(), y.id());
    let wants = x.requires_grad() || y.requires_grad();
    x.tape().record(s, wants, move |ctx, _, ds| {
        let (xv, yv) = (ctx.value(ix).clone(), ctx.value(iy).clone());
        ctx.add(ix, C::from_fn(|k| ds * yv.get(k)));
        ctx.add(iy, C::from_fn(|k| ds * xv.get(k)));
    })
}

/// A curved real scalar of a complex vector through the linear complex ops (see
/// `complex_parts_second_order`).
fn through_parts<'t, B: ComplexBackend>(z: BVar<'t, C<U3, B>>) -> BVar<'t, B::Real> {
    let (re, im) = from_complex(z).split();
    let w = to_complex(im.sin(), re * im);
    let back = complex(real(w) * imag(z));
    sum_elements(real(back).cos() * imag(w)) + sum_elements(re * re * im)
}

/// A complex 2×2 matrix and two complex 2-vectors.
type MatrixAndVectors<B> = (M<U2, U2, B>, C<U2, B>, C<U2, B>);

/// A curved function of a complex matrix and two vectors through every complex product
/// (`mul_c`, `outer_c`, `m_hm`, `app_c`, `dot_c`, and `*` of complex scalars), ending in the
/// real part of a complex scalar (a field view).
fn through_products<'t, B: ComplexBackend>(v: BVar<'t, MatrixAndVectors<B>>) -> BVar<'t, B::Real> {
    // Every term of degree four, so that central differences in f32 keep their digits.
    let (a, x, y) = v.split();
    let s = dot_c(app_c(mul_c(a, a), x), y)
        + dot_c(app_c(outer_c(x, y), y), x)
        + dot_c(app_c(un_her(m_hm(a)), y), y)
        + dot_c(x, y) * dot_c(y, x);
    s.view(|s| &s.re, |s| &mut s.re)
}

/// Every complex product of a matrix and two vectors, side by side.
#[allow(clippy::type_complexity)]
fn products<'t, B: ComplexBackend>(
    v: BVar<'t, MatrixAndVectors<B>>,
) -> BVar<
    't,
    (
        M<U2, U2, B>,
        C<U2, B>,
        M<U2, U2, B>,
        backprop_linalg::ComplexOf<B>,
    ),
> {
    let (a, x, y) = v.split();
    let outer = app_c(outer_c(x, y), y);
    (
        mul_c(a, a),
        outer,
        un_her(m_hm(a)),
        dot_c(x, y) * dot_c(y, x),
    )
        .join()
}

/// A curved real function of a complex vector through `magnitude` and `sq_magnitude`.
fn through_moduli<'t, B: ComplexBackend>(z: BVar<'t, C<U3, B>>) -> BVar<'t, B::Real> {
    let m = magnitude(z);
    sum_elements(m * sq_magnitude(z) + m.sin())
}

backprop_tests::cases! {
    /// The linear complex ops (`to_complex`, `from_complex`, `complex`, `real`, `imag`) are
    /// recorded with their adjoints: full Hessians and forward mode between curved real
    /// functions.
    fn complex_parts_second_order<B: ComplexBackend>() {
        run(complex_vector::<U3, B>(), |z| {
            hvp_ok(through_parts::<B>, &z)?;
            jvp_ok(through_parts::<B>, &z)
        });
    }
    /// The complex products are recorded with their rules under the crate's convention
    /// (adjoints, `x·yᴴ` outer products): full Hessians and forward mode through all of them.
    fn complex_products_second_order<B: ComplexBackend>() {
        let inputs = (
            complex_matrix::<U2, U2, B>(),
            complex_vector::<U2, B>(),
            complex_vector::<U2, B>(),
        );
        // Forward mode on the products themselves: differences of their real-valued sum carry
        // too much single-precision noise for its directional derivative.
        run(inputs, |v| {
            hvp_ok(through_products::<B>, &v)?;
            jvp_ok(products::<B>, &v)
        });
    }
    /// `magnitude` and `sq_magnitude` to the second order (away from `z = 0`).
    fn complex_moduli_second_order<B: ComplexBackend>() {
        run(nonzero_complex_vector::<U3, B>(), |z| {
            hvp_ok(through_moduli::<B>, &z)?;
            jvp_ok(through_moduli::<B>, &z)
        });
    }
    fn to_complex_3<B: ComplexBackend>() {
        run((vector::<U3, B>(), vector::<U3, B>()), |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    to_complex(x, y)
                },
                &xy,
            )
        });
    }
    fn from_complex_3<B: ComplexBackend>() {
        run(complex_vector::<U3, B>(), |z| grad_ok(from_complex, &z));
    }
    /// Only the imaginary part used: the real part's missing cotangent counts as zero.
    fn from_complex_one_part<B: ComplexBackend>() {
        run(complex_vector::<U3, B>(), |z| {
            grad_ok(
                |z| {
                    let (_, im) = from_complex(z).split();
                    im
                },
                &z,
            )
        });
    }
    fn complex_3<B: ComplexBackend>() {
        run(vector::<U3, B>(), |x| grad_ok(complex, &x));
    }
    fn real_3<B: ComplexBackend>() {
        run(complex_vector::<U3, B>(), |z| grad_ok(real, &z));
    }
    fn imag_3<B: ComplexBackend>() {
        run(complex_vector::<U3, B>(), |z| grad_ok(imag, &z));
    }
    fn sq_magnitude_3<B: ComplexBackend>() {
        run(complex_vector::<U3, B>(), |z| grad_ok(sq_magnitude, &z));
    }
    fn magnitude_3<B: ComplexBackend>() {
        run(nonzero_complex_vector::<U3, B>(), |z| {
            grad_ok(magnitude, &z)
        });
    }
    /// At `z = 0` the gradient of `|z|` is the subgradient 0, never NaN; elsewhere `z/|z|`.
    fn magnitude_at_zero<B: ComplexDouble>() {
        let z: C<U3, B> = C::from_slice(&[
            Complex64::new(0.0, 0.0),
            Complex64::new(3.0, -4.0),
            Complex64::new(0.0, 0.0),
        ]);
        let (m, g) = backprop_linalg::backprop(|z| sum_elements(magnitude(z)), &z);
        assert_eq!(m, 5.0);
        let want = [0.0, 0.0, 0.6, -0.8, 0.0, 0.0];
        let got = g.to_coords();
        assert!(
            got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-15),
            "{got:?}"
        );
    }
    fn dot_c_3<B: ComplexBackend>() {
        run(
            (complex_vector::<U3, B>(), complex_vector::<U3, B>()),
            |xy| {
                grad_ok(
                    |v| {
                        let (x, y) = v.split();
                        dot_c(x, y)
                    },
                    &xy,
                )
            },
        );
    }
    /// `dot_c(x, x) = ‖x‖²` (real): `x̄ = 2·Re(s̄)·x`, both contributions accumulated.
    fn dot_c_same_vector_twice<B: ComplexBackend>() {
        run(complex_vector::<U3, B>(), |x| grad_ok(|x| dot_c(x, x), &x));
    }
    fn mul_c_3x2_2x3<B: ComplexBackend>() {
        mul_c_case::<B, U3, U2, U3>();
    }
    fn mul_c_2x3_3x2<B: ComplexBackend>() {
        mul_c_case::<B, U2, U3, U2>();
    }
    fn mul_c_5x2_2x3<B: ComplexBackend>() {
        mul_c_case::<B, U5, U2, U3>();
    }
    /// `A·A` accumulates both contributions into one gradient (GEMM with β = 1).
    fn mul_c_same_matrix_twice<B: ComplexBackend>() {
        run(complex_matrix::<U3, U3, B>(), |a| {
            grad_ok(|a| mul_c(a, a), &a)
        });
    }
    fn app_c_3x2<B: ComplexBackend>() {
        app_c_case::<B, U3, U2>();
    }
    fn app_c_2x3<B: ComplexBackend>() {
        app_c_case::<B, U2, U3>();
    }
    fn app_c_5x2<B: ComplexBackend>() {
        app_c_case::<B, U5, U2>();
    }
    fn outer_c_3x2<B: ComplexBackend>() {
        outer_c_case::<B, U3, U2>();
    }
    fn outer_c_2x3<B: ComplexBackend>() {
        outer_c_case::<B, U2, U3>();
    }
    fn outer_c_5x2<B: ComplexBackend>() {
        outer_c_case::<B, U5, U2>();
    }
    /// Element-wise `+`, `-` and unary `-` on `BVar`s of complex matrices.
    fn elementwise_add_sub_neg_3x2<B: ComplexBackend>() {
        run(
            (complex_matrix::<U3, U2, B>(), complex_matrix::<U3, U2, B>()),
            |ab| {
                grad_ok(
                    |v| {
                        let (a, b) = v.split();
                        (a + b) - (-a) - b - b
                    },
                    &ab,
                )
            },
        );
    }
    /// Element-wise `*` and `/` on complex matrices: the core's product and quotient rules
    /// conjugate the other operand for complex types.
    fn elementwise_mul_div_3x2<B: ComplexBackend>() {
        run(
            (
                complex_matrix::<U3, U2, B>(),
                nonzero_complex_matrix::<U3, U2, B>(),
            ),
            |ab| {
                grad_ok(
                    |v| {
                        let (a, b) = v.split();
                        a * b + a / b
                    },
                    &ab,
                )
            },
        );
    }
    /// Elementary functions act element-wise on complex vectors, with `x̄ = ȳ·conj(f'(x))`.
    fn floating_functions_c3<B: ComplexBackend>() {
        run(right_half_complex_vector::<U3, B>(), |z| {
            grad_ok(
                |z| {
                    (
                        z.exp() + z.sin() * z.tanh(),
                        z.sqrt() / z.cosh() + z.ln(),
                        z.powi(3),
                    )
                        .join()
                },
                &z,
            )
        });
    }
    /// A real function of real inputs through complex intermediates: `|A·(x + 0i)|²` with `A`
    /// complex, `x` real.
    fn chain_real_through_complex<B: ComplexBackend>() {
        run((complex_matrix::<U3, U2, B>(), vector::<U2, B>()), |ax| {
            grad_ok(
                |v| {
                    let (a, x) = v.split();
                    sq_magnitude(app_c(a, complex(x)))
                },
                &ax,
            )
        });
    }
    /// Complex dot's forward semantics (the first argument is conjugated) and its gradient
    /// against the real expansion `conj(x)·y = (xr·yr + xi·yi) + i(xr·yi − xi·yr)`.
    fn dot_c_agrees_with_real_arithmetic<B: ComplexDouble>() {
        let i = Complex64::new(0.0, 1.0);
        let x: C<U2, B> = C::from_slice(&[i, Complex64::new(1.0, 0.0)]);
        let s = backprop_linalg::eval_bp2(dot_c, &x, &C::konst(Complex64::new(1.0, 0.0)));
        assert_eq!(
            s,
            Complex64::new(1.0, -1.0),
            "dot_c conjugates its first argument"
        );

        let inputs = (
            complex_vector::<U3, B>(),
            complex_vector::<U3, B>(),
            complex_scalar(),
        );
        run(inputs, |(x, y, ds)| {
            let (_, (gx, gy)) = backprop_with(
                |v| {
                    let (x, y) = v.split();
                    dot_c(x, y)
                },
                &(x.clone(), y.clone()),
                ds,
            );
            let parts = (x.re(), x.im(), y.re(), y.im());
            let (_, (gxr, gxi, gyr, gyi)) = backprop_with(
                |v| {
                    let (xr, xi, yr, yi) = v.split();
                    (dot(xr, yr) + dot(xi, yi), dot(xr, yi) - dot(xi, yr)).join()
                },
                &parts,
                (ds.re, ds.im),
            );
            agree(&gx, &C::from_parts(&gxr, &gxi))?;
            agree(&gy, &C::from_parts(&gyr, &gyi))
        });
    }
    fn mul_c_agrees_with_real_arithmetic<B: ComplexBackend>() {
        mul_c_agrees_case::<B, U3, U2, U3>();
        mul_c_agrees_case::<B, U5, U2, U3>();
    }
    fn app_c_agrees_with_real_arithmetic<B: ComplexBackend>() {
        app_c_agrees_case::<B, U3, U2>();
    }
    fn outer_c_agrees_with_real_arithmetic<B: ComplexBackend>() {
        outer_c_agrees_case::<B, U3, U2>();
        outer_c_agrees_case::<B, U2, U5>();
    }
    fn backprop_laws_c<B: ComplexBackend>() {
        laws_case((complex_vector::<U3, B>(), complex_vector::<U3, B>()));
    }
    fn backprop_laws_m<B: ComplexBackend>() {
        laws_case((complex_matrix::<U3, U2, B>(), complex_matrix::<U3, U2, B>()));
    }
    /// Coordinates are `(Re, Im)` per entry, row-major, and read back what they wrote.
    fn coords_layout<B: ComplexDouble>() {
        let a: M<U2, U2, B> = M::from_fn(|i, j| Complex64::new((2 * i + j) as f64, -1.0));
        assert_eq!(
            a.to_coords(),
            vec![0.0, -1.0, 1.0, -1.0, 2.0, -1.0, 3.0, -1.0]
        );
        let b = a.with_coords(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert_eq!(b.get(1, 0), Complex64::new(5.0, 6.0));
        let r: R<U2, B> = R::from_slice(&[1.0, 2.0]);
        assert_eq!(C::from_parts(&r, &r).re(), r);
    }
    fn her_3<B: ComplexBackend>() {
        run(complex_matrix::<U3, U3, B>(), |a| grad_ok(her, &a));
    }
    fn un_her_3<B: ComplexBackend>() {
        run(hermitian::<U3, B>(), |h| grad_ok(un_her, &h));
    }
    fn m_hm_3x2<B: ComplexBackend>() {
        run(complex_matrix::<U3, U2, B>(), |x| grad_ok(m_hm, &x));
    }
    fn m_hm_5x2<B: ComplexBackend>() {
        run(complex_matrix::<U5, U2, B>(), |x| grad_ok(m_hm, &x));
    }
    /// `m_hm` reached by a non-Hermitian cotangent through `un_her` (the complex form of
    /// `m_tm_then_un_sym_regression`): `un_her` hermitises it, so `2·X·D` is right.
    fn m_hm_then_un_her<B: ComplexBackend>() {
        run(complex_matrix::<U3, U2, B>(), |x| {
            grad_ok(|x| un_her(m_hm(x)), &x)
        });
    }
    /// A Hermitian matrix consumed by a complex product, whose cotangent is not Hermitian.
    fn mul_c_un_her_3x3_3x2<B: ComplexBackend>() {
        run(
            (hermitian::<U3, B>(), complex_matrix::<U3, U2, B>()),
            |hc| {
                grad_ok(
                    |v| {
                        let (h, c) = v.split();
                        mul_c(un_her(h), c)
                    },
                    &hc,
                )
            },
        );
    }
    fn app_c_un_her_3<B: ComplexBackend>() {
        run((hermitian::<U3, B>(), complex_vector::<U3, B>()), |hx| {
            grad_ok(
                |v| {
                    let (h, x) = v.split();
                    app_c(un_her(h), x)
                },
                &hx,
            )
        });
    }
    /// Element-wise `+ - * /` on `BVar`s of Hermitian matrices, which stay Hermitian.
    fn her_elementwise_arithmetic_3<B: ComplexBackend>() {
        run(
            (
                hermitian::<U3, B>(),
                hermitian::<U3, B>(),
                nonzero_hermitian::<U3, B>(),
            ),
            |abc| {
                grad_ok(
                    |v| {
                        let (a, b, c) = v.split();
                        a * b + a / c - (-b)
                    },
                    &abc,
                )
            },
        );
    }
    /// The gradient with respect to a `Her` input, read from its storage, is Hermitian
    /// (`G = Gᴴ`), and it is the Hermitian part of the gradient the same function has with
    /// respect to an unconstrained `M`.
    fn gradient_wrt_her_is_hermitian<B: ComplexDouble>() {
        let inputs = (
            hermitian::<U3, B>(),
            complex_matrix::<U3, U2, B>(),
            complex_matrix::<U3, U2, B>(),
        );
        run(inputs, |(h, c, dp)| {
            let (_, (gh, _)) = backprop_with(
                |v| {
                    let (h, c) = v.split();
                    mul_c(un_her(h), c)
                },
                &(h.clone(), c.clone()),
                dp.clone(),
            );
            for i in 0..3 {
                for j in 0..3 {
                    let (g, g_t) = (gh.get(i, j), gh.get(j, i).conj());
                    prop_assert!(
                        (g - g_t).norm() <= 1e-12,
                        "G[{},{}] = {} but conj G[{},{}] = {}",
                        i,
                        j,
                        g,
                        j,
                        i,
                        g_t
                    );
                }
            }
            let (_, (gm, _)) = backprop_with(
                |v| {
                    let (m, c) = v.split();
                    mul_c(m, c)
                },
                &(h.to_m(), c),
                dp,
            );
            agree(&gh, &Her::from_m(&gm))
        });
    }
    fn backprop_laws_her<B: ComplexBackend>() {
        laws_case((hermitian::<U3, B>(), hermitian::<U3, B>()));
    }
    /// Coordinates read back into a `Her` are hermitised: the diagonal's imaginary parts are
    /// dropped and off-diagonal pairs averaged into conjugates.
    fn her_coords_hermitise<B: ComplexDouble>() {
        let h: Her<U2, B> = Her::from_fn(|_, _| Complex64::new(0.0, 0.0));
        let read = h.with_coords(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert_eq!(read.get(0, 0), Complex64::new(1.0, 0.0));
        assert_eq!(read.get(0, 1), Complex64::new(4.0, -1.0));
        assert_eq!(read.get(1, 0), Complex64::new(4.0, 1.0));
        assert_eq!(read.get(1, 1), Complex64::new(7.0, 0.0));
    }
    /// The checker is sharp here: a gradient missing the conjugate in `dot_c` (hmatrix-backprop's
    /// `x̄ = s̄·y`) is rejected. Built as a deliberately wrong op from the public API.
    fn checker_rejects_unconjugated_dot<B: ComplexDouble>() {
        run(
            (complex_vector::<U3, B>(), complex_vector::<U3, B>()),
            |xy| {
                let report = check_gradient_with(
                    &CheckConfig::default(),
                    |v| {
                        let (x, y) = v.split();
                        wrong_dot(x, y)
                    },
                    &xy,
                );
                prop_assert!(!report.passes(1e-3), "{}", report);
                Ok(())
            },
        );
    }
}
