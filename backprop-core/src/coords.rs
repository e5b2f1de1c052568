//! [`Coords`]: a value seen as a flat list of real coordinates, so that the gradient checker
//! can perturb it and compare gradients of any type.

use num_complex::Complex;

/// A value as a list of real coordinates, in a fixed order.
///
/// `write_coords` appends the coordinates; `read_coords` builds a value shaped like `self`
/// from the front of `coords`, consuming them. Reading back what was written gives the value
/// back. A complex number has two coordinates (real, imaginary); integers have none (they are
/// not perturbed). `#[derive(Coords)]` implements it field by field.
///
/// ```
/// use backprop_core::Coords;
/// let x = (1.0, vec![2.0, 3.0]);
/// assert_eq!(x.to_coords(), vec![1.0, 2.0, 3.0]);
/// assert_eq!(x.with_coords(&[4.0, 5.0, 6.0]), (4.0, vec![5.0, 6.0]));
/// ```
pub trait Coords: Sized {
    /// Appends the coordinates of `self` to `out`.
    fn write_coords(&self, out: &mut Vec<f64>);

    /// A value shaped like `self` with coordinates taken from the front of `coords`, which is
    /// advanced past them.
    ///
    /// # Panics
    /// If `coords` is too short.
    fn read_coords(&self, coords: &mut &[f64]) -> Self;

    /// The machine epsilon of the precision the coordinates are stored in: `f64::EPSILON`
    /// (the default), `f32::EPSILON` for `f32`; the coarsest of the parts for a compound
    /// value. The gradient checker derives its step and tolerance from it
    /// ([`CheckConfig::for_epsilon`](crate::check::CheckConfig::for_epsilon)).
    fn coord_epsilon() -> f64 {
        f64::EPSILON
    }

    /// All coordinates.
    fn to_coords(&self) -> Vec<f64> {
        let mut out = Vec::new();
        self.write_coords(&mut out);
        out
    }

    /// A value shaped like `self` with the given coordinates.
    ///
    /// # Panics
    /// If `coords` does not have exactly as many entries as `self` has coordinates.
    #[track_caller]
    fn with_coords(&self, coords: &[f64]) -> Self {
        let mut rest = coords;
        let value = self.read_coords(&mut rest);
        assert!(
            rest.is_empty(),
            "with_coords: {} coordinates left over",
            rest.len()
        );
        value
    }
}

/// Takes the next coordinate.
#[track_caller]
fn next(coords: &mut &[f64]) -> f64 {
    let (first, rest) = coords
        .split_first()
        .expect("read_coords: ran out of coordinates");
    *coords = rest;
    *first
}

impl Coords for f64 {
    fn write_coords(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
    fn read_coords(&self, coords: &mut &[f64]) -> Self {
        next(coords)
    }
}

impl Coords for f32 {
    fn write_coords(&self, out: &mut Vec<f64>) {
        out.push(f64::from(*self));
    }
    fn read_coords(&self, coords: &mut &[f64]) -> Self {
        next(coords) as f32
    }
    fn coord_epsilon() -> f64 {
        f64::from(f32::EPSILON)
    }
}

impl<T: Coords> Coords for Complex<T> {
    fn write_coords(&self, out: &mut Vec<f64>) {
        self.re.write_coords(out);
        self.im.write_coords(out);
    }
    fn read_coords(&self, coords: &mut &[f64]) -> Self {
        let re = self.re.read_coords(coords);
        Complex::new(re, self.im.read_coords(coords))
    }
    fn coord_epsilon() -> f64 {
        T::coord_epsilon()
    }
}

macro_rules! impl_coords_int {
    ($($t:ty),*) => {$(
        /// No coordinates: integers are not perturbed.
        impl Coords for $t {
            fn write_coords(&self, _out: &mut Vec<f64>) {}
            fn read_coords(&self, _coords: &mut &[f64]) -> Self { *self }
        }
    )*};
}

impl_coords_int!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl Coords for () {
    fn write_coords(&self, _out: &mut Vec<f64>) {}
    fn read_coords(&self, _coords: &mut &[f64]) -> Self {}
}

macro_rules! impl_coords_tuple {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: Coords),+> Coords for ($($name,)+) {
            fn write_coords(&self, out: &mut Vec<f64>) {
                $(self.$idx.write_coords(out);)+
            }
            fn read_coords(&self, coords: &mut &[f64]) -> Self {
                ($(self.$idx.read_coords(coords),)+)
            }
            fn coord_epsilon() -> f64 {
                0.0f64 $(.max($name::coord_epsilon()))+
            }
        }
    };
}

impl_coords_tuple!(A 0);
impl_coords_tuple!(A 0, B 1);
impl_coords_tuple!(A 0, B 1, C 2);
impl_coords_tuple!(A 0, B 1, C 2, D 3);
impl_coords_tuple!(A 0, B 1, C 2, D 3, E 4);
impl_coords_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
impl_coords_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
impl_coords_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

impl<T: Coords, const N: usize> Coords for [T; N] {
    fn write_coords(&self, out: &mut Vec<f64>) {
        self.iter().for_each(|x| x.write_coords(out));
    }
    fn read_coords(&self, coords: &mut &[f64]) -> Self {
        std::array::from_fn(|i| self[i].read_coords(coords))
    }
    fn coord_epsilon() -> f64 {
        T::coord_epsilon()
    }
}

impl<T: Coords> Coords for Vec<T> {
    fn write_coords(&self, out: &mut Vec<f64>) {
        self.iter().for_each(|x| x.write_coords(out));
    }
    fn read_coords(&self, coords: &mut &[f64]) -> Self {
        self.iter().map(|x| x.read_coords(coords)).collect()
    }
    fn coord_epsilon() -> f64 {
        T::coord_epsilon()
    }
}

impl<T: Coords> Coords for Option<T> {
    fn write_coords(&self, out: &mut Vec<f64>) {
        if let Some(x) = self {
            x.write_coords(out);
        }
    }
    fn read_coords(&self, coords: &mut &[f64]) -> Self {
        self.as_ref().map(|x| x.read_coords(coords))
    }
    fn coord_epsilon() -> f64 {
        T::coord_epsilon()
    }
}

impl<T: Coords> Coords for Box<T> {
    fn write_coords(&self, out: &mut Vec<f64>) {
        (**self).write_coords(out);
    }
    fn read_coords(&self, coords: &mut &[f64]) -> Self {
        Box::new((**self).read_coords(coords))
    }
    fn coord_epsilon() -> f64 {
        T::coord_epsilon()
    }
}
