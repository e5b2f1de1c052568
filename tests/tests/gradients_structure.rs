//! Gradient suite, structure: vector and matrix construction, conversions, misc operations,
//! mappers and zippers, each checked on every backend with the core gradient checker (random
//! cotangents on every output, random directions, central differences, rtol 1e-6; full
//! Jacobian for small inputs). Multi-output ops are also checked with a cotangent on one output
//! only (`.split().0`). Shapes are hmatrix-backprop's own (vectors of 3, 3×2 and 2×3) plus
//! others (5×2, 3×4); regressions for `diag_r` with k ≠ min(m, n) and `linspace` at n = 1;
//! error paths of the fallible constructors.

use backprop_linalg::{
    BVar, Backend, L, LinalgError, Matrix, R, Vector, append, col, create, diag, diag_r, dim,
    dmmap, dvmap, dzip_with_vector, eval_bp, extract_m, extract_v, eye, from_columns, from_rows,
    grad_bp2, hcat, head_tail, konst, linspace, mmap, mmap_, range, row, snoc, split, split_cols,
    split_rows, sum_elements, take_diag, to_columns, to_rows, try_create, try_from_columns,
    try_from_rows, try_matrix, try_vector, uncol, unrow, vcat, vec2, vec3, vec4, vmap, vmap_,
    zip_with_vector, zip_with_vector_,
};
use backprop_tests::gradcheck::{
    dyn_matrix, dyn_vector, grad_ok, matrix as matrix_of, run, scalar, vector as vector_of,
};
use proptest::prelude::*;
use typenum::{U1, U2, U3, U4, U5, Unsigned};

/// Runs `f` on a tape and returns what it writes to the slot (an error, say) instead of its
/// result.
fn on_tape<A, T>(x: &A, f: impl for<'t> FnOnce(BVar<'t, A>) -> T) -> T
where
    A: backprop_linalg::Backprop,
{
    let mut out = None;
    eval_bp(
        |v| {
            out = Some(f(v));
            v
        },
        x,
    );
    out.expect("the closure ran")
}

/// The message of the panic raised by `f`.
fn panic_message(f: impl FnOnce()) -> String {
    // Nothing is observed after the panic but its message.
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

fn append_case<B, N, M>()
where
    B: Backend,
    N: Unsigned + std::ops::Add<M> + 'static,
    M: Unsigned + 'static,
    typenum::Sum<N, M>: Unsigned + 'static,
{
    run((vector_of::<N, B>(), vector_of::<M, B>()), |xy| {
        grad_ok(
            |v| {
                let (x, y) = v.split();
                append(x, y)
            },
            &xy,
        )
    });
}

fn konst_case<B: Backend, T>()
where
    T: backprop_linalg::StaticallySized<B> + backprop_linalg::Coords,
{
    run(scalar(), |x| grad_ok(konst::<T, B>, &x));
}

/// Generic cases; each is instantiated once per backend below.
mod cases {
    use super::*;

    // ----- vectors -----

    pub fn vec2<B: Backend>() {
        run((scalar(), scalar()), |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    super::vec2::<B>(x, y * x)
                },
                &xy,
            )
        });
    }
    pub fn vec3<B: Backend>() {
        run((scalar(), scalar(), scalar()), |xyz| {
            grad_ok(
                |v| {
                    let (x, y, z) = v.split();
                    super::vec3::<B>(x, y, z * x)
                },
                &xyz,
            )
        });
    }
    pub fn vec4<B: Backend>() {
        run((scalar(), scalar(), scalar(), scalar()), |xyzw| {
            grad_ok(
                |v| {
                    let (x, y, z, w) = v.split();
                    super::vec4::<B>(x, y, z, w.sin())
                },
                &xyzw,
            )
        });
    }
    pub fn vector_3<B: Backend>() {
        run(prop::array::uniform3(scalar()), |xs| {
            grad_ok(|v| super::vector_op::<U3, B>(&v.split()), &xs)
        });
    }
    pub fn vector_5_reused_scalars<B: Backend>() {
        // One scalar used in several entries accumulates every contribution.
        run((scalar(), scalar()), |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    super::vector_op::<U5, B>(&[a, a * b, b, a, b * b])
                },
                &ab,
            )
        });
    }
    pub fn snoc_3<B: Backend>() {
        run((vector_of::<U3, B>(), scalar()), |xs| {
            grad_ok(
                |v| {
                    let (x, s) = v.split();
                    snoc(x, s)
                },
                &xs,
            )
        });
    }
    pub fn append_3_3<B: Backend>() {
        append_case::<B, U3, U3>();
    }
    pub fn append_2_5<B: Backend>() {
        append_case::<B, U2, U5>();
    }
    pub fn split_3_at_1<B: Backend>() {
        run(vector_of::<U3, B>(), |x| grad_ok(split::<U1, _, _>, &x));
    }
    pub fn split_5_at_2<B: Backend>() {
        run(vector_of::<U5, B>(), |x| grad_ok(split::<U2, _, _>, &x));
    }
    pub fn split_5_at_2_first_only<B: Backend>() {
        run(vector_of::<U5, B>(), |x| {
            grad_ok(|x| split::<U2, _, _>(x).split().0, &x)
        });
    }
    pub fn split_5_at_2_second_only<B: Backend>() {
        run(vector_of::<U5, B>(), |x| {
            grad_ok(|x| split::<U2, _, _>(x).split().1, &x)
        });
    }
    pub fn head_tail_3<B: Backend>() {
        run(vector_of::<U3, B>(), |x| grad_ok(head_tail, &x));
    }
    pub fn head_tail_3_head_only<B: Backend>() {
        run(vector_of::<U3, B>(), |x| {
            grad_ok(|x| head_tail(x).split().0, &x)
        });
    }
    pub fn head_tail_5_tail_only<B: Backend>() {
        run(vector_of::<U5, B>(), |x| {
            grad_ok(|x| head_tail(x).split().1, &x)
        });
    }
    pub fn linspace_3<B: Backend>() {
        run((scalar(), scalar()), |lu| {
            grad_ok(
                |v| {
                    let (l, u) = v.split();
                    linspace::<U3, B>(l, u)
                },
                &lu,
            )
        });
    }
    pub fn linspace_5<B: Backend>() {
        run((scalar(), scalar()), |lu| {
            grad_ok(
                |v| {
                    let (l, u) = v.split();
                    linspace::<U5, B>(l, u)
                },
                &lu,
            )
        });
    }
    /// Regression (hmatrix-backprop): `linspace @1` divides by n − 1 = 0 and gives a NaN
    /// gradient. Here the single point is the midpoint, and both ends get half its cotangent.
    pub fn linspace_1_regression<B: Backend>() {
        run((scalar(), scalar()), |lu| {
            grad_ok(
                |v| {
                    let (l, u) = v.split();
                    linspace::<U1, B>(l, u)
                },
                &lu,
            )
        });
        let (y, (dl, du)) =
            backprop_linalg::backprop2(|l, u| sum_elements(linspace::<U1, B>(l, u)), &1.0, &4.0);
        assert_eq!((y, dl, du), (2.5, 0.5, 0.5));
        let (y0, (dl0, du0)) = backprop_linalg::backprop2(
            |l, u| sum_elements(linspace::<typenum::U0, B>(l, u)),
            &1.0,
            &4.0,
        );
        assert_eq!((y0, dl0, du0), (0.0, 0.0, 0.0));
    }
    pub fn linspace_values<B: Backend>() {
        let y: R<U5, B> = eval_bp(|l| linspace(l, l.tape().constant(3.0)), &1.0);
        assert_eq!(y.to_vec(), vec![1.0, 1.5, 2.0, 2.5, 3.0]);
    }
    pub fn range_and_dim<B: Backend>() {
        assert_eq!(range::<U4, B>().to_vec(), vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(dim::<U3, B>().to_vec(), vec![3.0, 3.0, 3.0]);
    }

    // ----- matrices -----

    pub fn row_3<B: Backend>() {
        run(vector_of::<U3, B>(), |x| grad_ok(row, &x));
    }
    pub fn col_3<B: Backend>() {
        run(vector_of::<U3, B>(), |x| grad_ok(col, &x));
    }
    pub fn unrow_3<B: Backend>() {
        run(matrix_of::<U1, U3, B>(), |a| grad_ok(unrow, &a));
    }
    pub fn uncol_3<B: Backend>() {
        run(matrix_of::<U3, U1, B>(), |a| grad_ok(uncol, &a));
    }
    pub fn hcat_3x2_3x4<B: Backend>() {
        run((matrix_of::<U3, U2, B>(), matrix_of::<U3, U4, B>()), |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    hcat(a, b)
                },
                &ab,
            )
        });
    }
    pub fn vcat_3x2_2x2<B: Backend>() {
        run((matrix_of::<U3, U2, B>(), matrix_of::<U2, U2, B>()), |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    vcat(a, b)
                },
                &ab,
            )
        });
    }
    pub fn vcat_same_matrix_twice<B: Backend>() {
        run(matrix_of::<U2, U3, B>(), |a| {
            grad_ok(|a| vcat(a, a * a), &a)
        });
    }
    pub fn split_rows_3x2_at_1<B: Backend>() {
        run(matrix_of::<U3, U2, B>(), |a| {
            grad_ok(split_rows::<U1, _, _, _>, &a)
        });
    }
    pub fn split_rows_5x2_at_3_first_only<B: Backend>() {
        run(matrix_of::<U5, U2, B>(), |a| {
            grad_ok(|a| split_rows::<U3, _, _, _>(a).split().0, &a)
        });
    }
    pub fn split_rows_5x2_at_3_second_only<B: Backend>() {
        run(matrix_of::<U5, U2, B>(), |a| {
            grad_ok(|a| split_rows::<U3, _, _, _>(a).split().1, &a)
        });
    }
    pub fn split_cols_2x3_at_2<B: Backend>() {
        run(matrix_of::<U2, U3, B>(), |a| {
            grad_ok(split_cols::<U2, _, _, _>, &a)
        });
    }
    pub fn split_cols_3x4_at_1_first_only<B: Backend>() {
        run(matrix_of::<U3, U4, B>(), |a| {
            grad_ok(|a| split_cols::<U1, _, _, _>(a).split().0, &a)
        });
    }
    pub fn split_cols_3x4_at_1_second_only<B: Backend>() {
        run(matrix_of::<U3, U4, B>(), |a| {
            grad_ok(|a| split_cols::<U1, _, _, _>(a).split().1, &a)
        });
    }
    pub fn diag_3<B: Backend>() {
        run(vector_of::<U3, B>(), |x| grad_ok(diag, &x));
    }
    pub fn eye_is_identity<B: Backend>() {
        let i: L<U3, U3, B> = eye();
        assert_eq!(i.to_row_major(), vec![1., 0., 0., 0., 1., 0., 0., 0., 1.]);
    }
    pub fn matrix_3x2<B: Backend>() {
        run(prop::array::uniform6(scalar()), |xs| {
            grad_ok(|v| super::matrix_op::<U3, U2, B>(&v.split()), &xs)
        });
    }
    pub fn matrix_2x3<B: Backend>() {
        run(prop::array::uniform6(scalar()), |xs| {
            grad_ok(|v| super::matrix_op::<U2, U3, B>(&v.split()), &xs)
        });
    }
    pub fn matrix_is_row_major<B: Backend>() {
        let a: L<U2, U3, B> = eval_bp(
            |v| super::matrix_op(&v.split()),
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        );
        assert_eq!(a.get(0, 2), 3.0);
        assert_eq!(a.get(1, 0), 4.0);
    }

    // ----- conversions -----

    pub fn to_rows_3x2<B: Backend>() {
        run(matrix_of::<U3, U2, B>(), |a| grad_ok(to_rows, &a));
    }
    pub fn to_rows_5x2_one_row_only<B: Backend>() {
        run(matrix_of::<U5, U2, B>(), |a| {
            grad_ok(|a| to_rows(a).split()[3], &a)
        });
    }
    pub fn to_columns_2x3<B: Backend>() {
        run(matrix_of::<U2, U3, B>(), |a| grad_ok(to_columns, &a));
    }
    pub fn to_columns_3x4_one_column_only<B: Backend>() {
        run(matrix_of::<U3, U4, B>(), |a| {
            grad_ok(|a| to_columns(a).split()[2], &a)
        });
    }
    pub fn from_rows_3x2<B: Backend>() {
        run(prop::array::uniform3(vector_of::<U2, B>()), |rows| {
            grad_ok(|v| from_rows::<U3, _, _>(&v.split()), &rows)
        });
    }
    pub fn from_columns_2x3<B: Backend>() {
        run(prop::array::uniform3(vector_of::<U2, B>()), |cols| {
            grad_ok(|v| from_columns::<_, U3, _>(&v.split()), &cols)
        });
    }
    pub fn rows_reversed_3x4<B: Backend>() {
        run(matrix_of::<U3, U4, B>(), |a| {
            grad_ok(
                |a| {
                    let mut rows = to_rows(a).split();
                    rows.reverse();
                    rows[0] = rows[0] * rows[1];
                    from_rows::<U3, _, _>(&rows)
                },
                &a,
            )
        });
    }
    pub fn columns_round_trip_5x2<B: Backend>() {
        run(matrix_of::<U5, U2, B>(), |a| {
            let back = eval_bp(|a| from_columns::<_, U2, _>(&to_columns(a).split()), &a);
            prop_assert_eq!(back, a);
            Ok(())
        });
    }

    // ----- misc -----

    pub fn konst_vector_3<B: Backend>() {
        konst_case::<B, R<U3, B>>();
    }
    pub fn konst_matrix_3x2<B: Backend>() {
        konst_case::<B, L<U3, U2, B>>();
    }
    pub fn extract_v_3<B: Backend>() {
        run(vector_of::<U3, B>(), |x| grad_ok(extract_v, &x));
    }
    pub fn extract_m_3x2<B: Backend>() {
        run(matrix_of::<U3, U2, B>(), |a| grad_ok(extract_m, &a));
    }
    pub fn create_vector_3<B: Backend>() {
        run(dyn_vector::<B>(3), |v| grad_ok(create::<R<U3, B>, B>, &v));
    }
    pub fn create_matrix_5x2<B: Backend>() {
        run(dyn_matrix::<B>(5, 2), |m| {
            grad_ok(create::<L<U5, U2, B>, B>, &m)
        });
    }
    pub fn create_then_extract_round_trip<B: Backend>() {
        run(dyn_matrix::<B>(2, 3), |m| {
            grad_ok(
                |m| extract_m(create::<L<U2, U3, B>, B>(m) * create::<L<U2, U3, B>, B>(m)),
                &m,
            )
        });
    }
    pub fn take_diag_3<B: Backend>() {
        run(matrix_of::<U3, U3, B>(), |a| grad_ok(take_diag, &a));
    }
    pub fn take_diag_after_diag<B: Backend>() {
        // takeDiag's pullback adds onto an existing gradient in place.
        run(matrix_of::<U3, U3, B>(), |a| {
            grad_ok(|a| take_diag(a) * take_diag(a * a), &a)
        });
    }
    pub fn diag_r_3x2<B: Backend>() {
        run((scalar(), vector_of::<U2, B>()), |cv| {
            grad_ok(
                |v| {
                    let (c, x) = v.split();
                    diag_r::<U3, U2, _, B>(c, x)
                },
                &cv,
            )
        });
    }
    pub fn diag_r_2x3<B: Backend>() {
        run((scalar(), vector_of::<U2, B>()), |cv| {
            grad_ok(
                |v| {
                    let (c, x) = v.split();
                    diag_r::<U2, U3, _, B>(c, x)
                },
                &cv,
            )
        });
    }
    /// Regression (hmatrix-backprop): `diagR` with k = 3 ≠ min(5, 4) crashes in the original
    /// (its disabled test used these sizes). The rest of the diagonal holds `c`.
    pub fn diag_r_5x4_k3_regression<B: Backend>() {
        run((scalar(), vector_of::<U3, B>()), |cv| {
            grad_ok(
                |v| {
                    let (c, x) = v.split();
                    diag_r::<U5, U4, _, B>(c, x)
                },
                &cv,
            )
        });
        let v: R<U3, B> = R::from_slice(&[1.0, 2.0, 3.0]);
        let y: L<U5, U4, B> = eval_bp(|v| diag_r(v.tape().constant(7.0), v), &v);
        for i in 0..5 {
            for j in 0..4 {
                let expected = if i == j && i < 3 { v.get(i) } else { 7.0 };
                assert_eq!(y.get(i, j), expected, "entry ({i}, {j})");
            }
        }
    }
    /// The vector is longer than the diagonal: its extra entries are unused (zero gradient).
    pub fn diag_r_3x2_k4<B: Backend>() {
        run((scalar(), vector_of::<U4, B>()), |cv| {
            grad_ok(
                |v| {
                    let (c, x) = v.split();
                    diag_r::<U3, U2, _, B>(c, x)
                },
                &cv,
            )
        });
        let (dc, dv) = grad_bp2(
            |c, v: BVar<'_, R<U4, B>>| sum_elements(diag_r::<U3, U2, _, B>(c, v)),
            &0.5,
            &R::from_slice(&[1.0, 2.0, 3.0, 4.0]),
        );
        assert_eq!(dc, 4.0);
        assert_eq!(dv.to_vec(), vec![1.0, 1.0, 0.0, 0.0]);
    }

    // ----- errors -----

    pub fn create_wrong_shape_is_an_error<B: Backend>() {
        let v: Vector<B> = Vector::from_slice(&[1.0, 2.0]);
        let err = on_tape(&v, |v| try_create::<R<U3, B>, B>(v).err());
        let err = err.expect("a length-2 vector is not an R<U3>");
        assert_eq!(err.op(), "create");
        assert_eq!(
            err.to_string(),
            "create: shape mismatch: expected 3 entries, found 2 entries"
        );
        let message = panic_message(|| {
            eval_bp(|v| create::<R<U3, B>, B>(v), &v);
        });
        assert_eq!(message, err.to_string());

        // A cotangent of the wrong length for the extracted vector is reported, not truncated.
        let x: R<U3, B> = R::zeros();
        let message = panic_message(|| {
            backprop_linalg::backprop_with(extract_v, &x, Vector::from_slice(&[1.0, 2.0]));
        });
        assert!(message.starts_with("extract_v:"), "{message}");
        assert!(
            message.contains("expected 3 entries, found 2 entries"),
            "{message}"
        );

        let m: Matrix<B> = Matrix::from_row_major(2, 3, &[0.0; 6]);
        let err = on_tape(&m, |m| try_create::<L<U3, U2, B>, B>(m).err());
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("create: shape mismatch: expected 3×2, found 2×3".to_owned())
        );
    }
    pub fn constructors_with_wrong_counts_are_errors<B: Backend>() {
        let xs = [1.0, 2.0];
        let err = |e: Option<LinalgError>| e.expect("a wrong count is an error");
        let e = err(on_tape(&xs, |v| try_vector::<U3, B>(&v.split()).err()));
        assert_eq!(e.op(), "vector");
        assert!(
            e.to_string()
                .contains("expected 3 scalar variables, found 2"),
            "{e}"
        );
        let e = err(on_tape(&xs, |v| try_matrix::<U2, U2, B>(&v.split()).err()));
        assert_eq!(e.op(), "matrix");
        let e = err(on_tape(&xs, |v| try_vector::<U2, B>(&v.split()[..0]).err()));
        assert_eq!(e.op(), "vector");
        assert!(e.to_string().contains("found 0"), "{e}");
        let message = panic_message(|| {
            eval_bp(|v| super::matrix_op::<U3, U1, B>(&v.split()), &xs);
        });
        assert!(message.starts_with("matrix: shape mismatch"), "{message}");

        let rows: [R<U2, B>; 2] = [R::zeros(), R::zeros()];
        let e = err(on_tape(&rows, |v| {
            try_from_rows::<U3, _, B>(&v.split()).err()
        }));
        assert_eq!(e.op(), "from_rows");
        let e = err(on_tape(&rows, |v| {
            try_from_columns::<_, U3, B>(&v.split()).err()
        }));
        assert_eq!(e.op(), "from_columns");
    }

    // ----- mappers and zippers -----

    pub fn vmap_capturing_outer_variables_3<B: Backend>() {
        run((vector_of::<U3, B>(), scalar(), scalar()), |xab| {
            grad_ok(
                |v| {
                    let (x, a, b) = v.split();
                    vmap(|e| e.sin() * a + e * e * b, x)
                },
                &xab,
            )
        });
    }
    pub fn vmap_closed_5<B: Backend>() {
        run(vector_of::<U5, B>(), |x| {
            grad_ok(|x| vmap(|e| e.tanh() * e, x), &x)
        });
    }
    pub fn vmap_isolated_3<B: Backend>() {
        run(vector_of::<U3, B>(), |x| {
            grad_ok(|x| vmap_(|e| e.sin() * e + e * e * e, x), &x)
        });
    }
    pub fn dvmap_3<B: Backend>() {
        run(vector_of::<U3, B>(), |x| {
            grad_ok(|x| dvmap(|e| e.exp() / (e * e + 1.0), x), &x)
        });
    }
    pub fn mmap_capturing_outer_variable_3x2<B: Backend>() {
        run((matrix_of::<U3, U2, B>(), scalar()), |xa| {
            grad_ok(
                |v| {
                    let (x, a) = v.split();
                    mmap(|e| (e * a).cos() + a, x)
                },
                &xa,
            )
        });
    }
    pub fn mmap_isolated_2x3<B: Backend>() {
        run(matrix_of::<U2, U3, B>(), |x| {
            grad_ok(|x| mmap_(|e| e.cos() * e, x), &x)
        });
    }
    pub fn dmmap_5x2<B: Backend>() {
        run(matrix_of::<U5, U2, B>(), |x| {
            grad_ok(|x| dmmap(|e| e.atan() * e, x), &x)
        });
    }
    pub fn zip_with_vector_capturing_outer_variable_3<B: Backend>() {
        run(
            (vector_of::<U3, B>(), vector_of::<U3, B>(), scalar()),
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
    pub fn zip_with_vector_isolated_3<B: Backend>() {
        run((vector_of::<U3, B>(), vector_of::<U3, B>()), |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    zip_with_vector_(|p, q| p * q.sin() + q * q, x, y)
                },
                &xy,
            )
        });
    }
    pub fn dzip_with_vector_5<B: Backend>() {
        run((vector_of::<U5, B>(), vector_of::<U5, B>()), |xy| {
            grad_ok(
                |v| {
                    let (x, y) = v.split();
                    dzip_with_vector(|p, q| (p * q).tanh() - p, x, y)
                },
                &xy,
            )
        });
    }
    pub fn zip_with_vector_same_vector_twice<B: Backend>() {
        run(vector_of::<U3, B>(), |x| {
            grad_ok(|x| zip_with_vector_(|p, q| p * q.exp(), x, x), &x)
        });
    }
    /// The three forms agree on values, and the closed forms take their no-gradient path under
    /// `eval_bp`.
    pub fn map_forms_agree<B: Backend>() {
        run((vector_of::<U3, B>(), vector_of::<U3, B>()), |(x, y)| {
            let expected = R::<U3, B>::from_fn(|i| x.get(i).sin() * 2.0);
            let a = eval_bp(|x| vmap(|e| e.sin() * 2.0, x), &x);
            let b = eval_bp(|x| vmap_(|e| e.sin() * 2.0, x), &x);
            let c = eval_bp(|x| dvmap(|e| e.sin() * 2.0, x), &x);
            prop_assert_eq!(&a, &expected);
            prop_assert_eq!(&b, &expected);
            prop_assert_eq!(&c, &expected);
            let z = R::<U3, B>::from_fn(|i| x.get(i) * y.get(i) + 1.0);
            let zs = [
                backprop_linalg::eval_bp2(|x, y| zip_with_vector(|p, q| p * q + 1.0, x, y), &x, &y),
                backprop_linalg::eval_bp2(
                    |x, y| zip_with_vector_(|p, q| p * q + 1.0, x, y),
                    &x,
                    &y,
                ),
                backprop_linalg::eval_bp2(
                    |x, y| dzip_with_vector(|p, q| p * q + 1.0, x, y),
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

use backprop_linalg::{matrix as matrix_op, vector as vector_op};

backprop_tests::per_backend!(
    vec2,
    vec3,
    vec4,
    vector_3,
    vector_5_reused_scalars,
    snoc_3,
    append_3_3,
    append_2_5,
    split_3_at_1,
    split_5_at_2,
    split_5_at_2_first_only,
    split_5_at_2_second_only,
    head_tail_3,
    head_tail_3_head_only,
    head_tail_5_tail_only,
    linspace_3,
    linspace_5,
    linspace_1_regression,
    linspace_values,
    range_and_dim,
    row_3,
    col_3,
    unrow_3,
    uncol_3,
    hcat_3x2_3x4,
    vcat_3x2_2x2,
    vcat_same_matrix_twice,
    split_rows_3x2_at_1,
    split_rows_5x2_at_3_first_only,
    split_rows_5x2_at_3_second_only,
    split_cols_2x3_at_2,
    split_cols_3x4_at_1_first_only,
    split_cols_3x4_at_1_second_only,
    diag_3,
    eye_is_identity,
    matrix_3x2,
    matrix_2x3,
    matrix_is_row_major,
    to_rows_3x2,
    to_rows_5x2_one_row_only,
    to_columns_2x3,
    to_columns_3x4_one_column_only,
    from_rows_3x2,
    from_columns_2x3,
    rows_reversed_3x4,
    columns_round_trip_5x2,
    konst_vector_3,
    konst_matrix_3x2,
    extract_v_3,
    extract_m_3x2,
    create_vector_3,
    create_matrix_5x2,
    create_then_extract_round_trip,
    take_diag_3,
    take_diag_after_diag,
    diag_r_3x2,
    diag_r_2x3,
    diag_r_5x4_k3_regression,
    diag_r_3x2_k4,
    create_wrong_shape_is_an_error,
    constructors_with_wrong_counts_are_errors,
    vmap_capturing_outer_variables_3,
    vmap_closed_5,
    vmap_isolated_3,
    dvmap_3,
    mmap_capturing_outer_variable_3x2,
    mmap_isolated_2x3,
    dmmap_5x2,
    zip_with_vector_capturing_outer_variable_3,
    zip_with_vector_isolated_3,
    dzip_with_vector_5,
    zip_with_vector_same_vector_twice,
    map_forms_agree,
);
