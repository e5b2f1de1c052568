//! Products and element-wise arithmetic: `mul`, `app`, `dot`, `outer`, `cross`, `affine`,
//! `affine_cols`, `add_to_cols`, and `+ - * /` and the elementary functions on `BVar`s of
//! matrices. Shapes are hmatrix-backprop's own (3×2, 2×3, 3×3) plus shapes where its choice hid
//! bugs (5×2, 3×4); the fused ops are also checked against their spelling in simpler ops
//! (`same_as`).

use backprop_linalg::Backend;
use backprop_linalg::StaticDim;
use backprop_linalg::{
    Join, R, add_to_cols, affine, affine_cols, app, cross, dot, mul, outer, scale, sum_elements, tr,
};
use backprop_tests::gradcheck::{grad_ok, hvp_ok, jvp_ok, matrix, real, run, same_as, vector};
use typenum::{U2, U3, U4, U5};

fn mul_case<B: Backend, M: StaticDim, K: StaticDim, N: StaticDim>() {
    run((matrix::<M, K, B>(), matrix::<K, N, B>()), |ab| {
        grad_ok(
            |v| {
                let (a, b) = v.split();
                mul(a, b)
            },
            &ab,
        )
    });
}

fn app_case<B: Backend, M: StaticDim, N: StaticDim>() {
    run((matrix::<M, N, B>(), vector::<N, B>()), |ax| {
        grad_ok(
            |v| {
                let (a, x) = v.split();
                app(a, x)
            },
            &ax,
        )
    });
}

fn add_to_cols_case<B: Backend, M: StaticDim, N: StaticDim>() {
    run((matrix::<M, N, B>(), vector::<M, B>()), |mv| {
        grad_ok(
            |v| {
                let (m, v) = v.split();
                add_to_cols(m, v)
            },
            &mv,
        )
    });
}

fn outer_case<B: Backend, M: StaticDim, N: StaticDim>() {
    run((vector::<M, B>(), vector::<N, B>()), |xy| {
        grad_ok(
            |v| {
                let (x, y) = v.split();
                outer(x, y)
            },
            &xy,
        )
    });
}

backprop_tests::cases! {
    fn second_order<B: Backend>() {
        // mul, app, dot, outer, scale, tr and sum_elements with element-wise functions between
        // them, to the second order: the full 15×15 Hessian and its symmetry.
        run((matrix::<U3, U2, B>(), matrix::<U2, U3, B>(), vector::<U3, B>()), |abx| {
            hvp_ok(
                |v| {
                    let (a, b, x) = v.split();
                    let c = mul(a, b);
                    let y = app(c, x);
                    let s = backprop_linalg::dot(y, x);
                    // Scaled so that the sine's argument stays of order one: a Hessian of a
                    // fast oscillation is all finite-difference truncation error.
                    let o = scale(s * real::<B>(1e-3), outer(y, x)).sin();
                    sum_elements(o) + sum_elements((tr(c) * c).tanh())
                },
                &abx,
            )
        });
    }
    fn affine_layers_second_order<B: Backend>() {
        // affine, affine_cols and add_to_cols between element-wise functions: a two-layer
        // network's loss, its full Hessian in the weights, the biases and the inputs.
        run(
            (matrix::<U3, U2, B>(), vector::<U2, B>(), vector::<U3, B>(), matrix::<U2, U2, B>()),
            |p| {
                hvp_ok(
                    |v| {
                        let (w, x, b, xs) = v.split();
                        let h = affine(w, x, b).logistic();
                        let hs = affine_cols(w, xs, b).tanh();
                        sum_elements(h * h) + sum_elements(add_to_cols(hs, b).sin())
                    },
                    &p,
                )
            },
        );
    }
    fn second_order_at_run_time_sizes<B: Backend>() {
        // The same rules on `Dyn` sizes (sizes from the values, not the types).
        run(
            (
                backprop_tests::gradcheck::dyn_matrix::<B>(3, 4),
                backprop_tests::gradcheck::dyn_vector::<B>(4),
            ),
            |p| {
                hvp_ok(
                    |v| {
                        let (a, x) = v.split();
                        // Scaled, as in `second_order`, to keep the sine's argument of order one.
                        let small = a.tape().constant(real::<B>(0.05));
                        let y = scale(small, app(mul(a, tr(a)), app(a, x))).sin();
                        sum_elements(y) + backprop_linalg::dot(x, x) * real::<B>(0.5)
                    },
                    &p,
                )
            },
        );
    }
    fn mul_and_app_forward_mode<B: Backend>() {
        run((matrix::<U3, U2, B>(), matrix::<U2, U4, B>(), vector::<U4, B>()), |abx| {
            jvp_ok(
                |v| {
                    let (a, b, x) = v.split();
                    let c = mul(a, b);
                    (c, app(c, x)).join()
                },
                &abx,
            )
        });
    }
    fn mul_3x2_2x3<B: Backend>() {
        mul_case::<B, U3, U2, U3>();
    }
    fn mul_5x2_2x4<B: Backend>() {
        mul_case::<B, U5, U2, U4>();
    }
    fn mul_same_matrix_twice<B: Backend>() {
        // A·A accumulates both contributions into one gradient.
        run(matrix::<U3, U3, B>(), |a| grad_ok(|a| mul(a, a), &a));
    }
    fn app_3x2<B: Backend>() {
        app_case::<B, U3, U2>();
    }
    fn app_3x4<B: Backend>() {
        app_case::<B, U3, U4>();
    }
    fn dot<B: Backend>() {
        run((vector::<U3, B>(), vector::<U3, B>()), |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    super::dot(x, y)
                },
                &xy,
            )
        });
    }
    fn outer_3x2<B: Backend>() {
        outer_case::<B, U3, U2>();
    }
    fn outer_2x5<B: Backend>() {
        outer_case::<B, U2, U5>();
    }
    fn add_to_cols_3x2<B: Backend>() {
        add_to_cols_case::<B, U3, U2>();
    }
    fn add_to_cols_2x5<B: Backend>() {
        add_to_cols_case::<B, U2, U5>();
    }
    fn add_to_cols_is_m_plus_outer<B: Backend>() {
        run((matrix::<U3, U4, B>(), vector::<U3, B>()), |mv| {
            same_as(
                |p| {
                    let (m, v) = p.split();
                    add_to_cols(m, v)
                },
                |p| {
                    let (m, v) = p.split();
                    m + outer(v, p.tape().constant(R::konst(real::<B>(1.0))))
                },
                &mv,
            )
        });
    }
    fn affine_3x2<B: Backend>() {
        run(
            (matrix::<U3, U2, B>(), vector::<U2, B>(), vector::<U3, B>()),
            |wxb| {
                grad_ok(
                    |p| {
                        let (w, x, b) = p.split();
                        affine(w, x, b)
                    },
                    &wxb,
                )
            },
        );
    }
    fn affine_is_app_plus<B: Backend>() {
        run(
            (matrix::<U3, U4, B>(), vector::<U4, B>(), vector::<U3, B>()),
            |wxb| {
                same_as(
                    |p| {
                        let (w, x, b) = p.split();
                        affine(w, x, b)
                    },
                    |p| {
                        let (w, x, b) = p.split();
                        app(w, x) + b
                    },
                    &wxb,
                )
            },
        );
    }
    fn affine_cols_3x2x4<B: Backend>() {
        run(
            (
                matrix::<U3, U2, B>(),
                matrix::<U2, U4, B>(),
                vector::<U3, B>(),
            ),
            |wxb| {
                grad_ok(
                    |p| {
                        let (w, x, b) = p.split();
                        affine_cols(w, x, b)
                    },
                    &wxb,
                )
            },
        );
    }
    fn affine_cols_is_mul_plus_outer<B: Backend>() {
        run(
            (
                matrix::<U2, U3, B>(),
                matrix::<U3, U5, B>(),
                vector::<U2, B>(),
            ),
            |wxb| {
                same_as(
                    |p| {
                        let (w, x, b) = p.split();
                        affine_cols(w, x, b)
                    },
                    |p| {
                        let (w, x, b) = p.split();
                        mul(w, x) + outer(b, p.tape().constant(R::konst(real::<B>(1.0))))
                    },
                    &wxb,
                )
            },
        );
    }
    fn cross<B: Backend>() {
        run((vector::<U3, B>(), vector::<U3, B>()), |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    super::cross(x, y)
                },
                &xy,
            )
        });
    }
    fn elementwise_arithmetic<B: Backend>() {
        run((matrix::<U3, U2, B>(), matrix::<U3, U2, B>()), |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    (a * b + a - b, (a.tanh() * b.sin()).exp()).join()
                },
                &ab,
            )
        });
    }
}
