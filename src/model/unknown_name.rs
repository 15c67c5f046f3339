//! Reading a closed set of values ([`Mode`](crate::Mode),
//! [`Availability`](crate::Availability)) from their names: the error that says
//! which names there are.

use std::fmt;

/// A name that is none of a type's values: says what was given and every name
/// accepted, e.g. `mode must be 'resync' or 'strict', not "lenient"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be {}, not {given:?}", Alternatives(accepted))]
pub struct UnknownName {
    what: &'static str,
    given: String,
    accepted: Vec<&'static str>,
}

impl UnknownName {
    /// The same error about an option of another name (`initial` for an
    /// [`Availability`](crate::Availability), say), as a front end calls it.
    #[must_use]
    pub fn named(mut self, what: &'static str) -> Self {
        self.what = what;
        self
    }

    /// The name that was given.
    pub fn given(&self) -> &str {
        &self.given
    }

    /// Every name accepted, in the order the message lists them.
    pub fn accepted(&self) -> &[&'static str] {
        &self.accepted
    }
}

/// `'a' or 'b'`, `'a', 'b' or 'c'`.
struct Alternatives<'a>(&'a [&'static str]);

impl fmt::Display for Alternatives<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().enumerate() {
            let separator = match i {
                0 => "",
                _ if i + 1 == self.0.len() => " or ",
                _ => ", ",
            };
            write!(f, "{separator}'{name}'")?;
        }
        Ok(())
    }
}

/// The one of `values` whose name is `given`; the error lists them all, in
/// their order.
pub(crate) fn parse<T: Copy>(
    what: &'static str,
    given: &str,
    values: impl IntoIterator<Item = T> + Clone,
    name: impl Fn(T) -> &'static str,
) -> Result<T, UnknownName> {
    values
        .clone()
        .into_iter()
        .find(|&value| name(value) == given)
        .ok_or_else(|| UnknownName {
            what,
            given: given.to_owned(),
            accepted: values.into_iter().map(name).collect(),
        })
}

#[cfg(test)]
mod tests {
    use crate::model::resync::Mode;
    use crate::model::vocabulary::Availability;

    #[test]
    fn every_name_reads_back_and_others_are_refused_with_the_list() {
        assert_eq!("resync".parse(), Ok(Mode::Resync));
        assert_eq!(Mode::Strict.name().parse(), Ok(Mode::Strict));
        assert_eq!("idle".parse(), Ok(Availability::Idle));
        assert_eq!(
            Availability::Ready.to_string().parse(),
            Ok(Availability::Ready)
        );

        let e = "lenient".parse::<Mode>().unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"mode must be 'resync' or 'strict', not "lenient""#
        );
        assert_eq!(
            (e.given(), e.accepted()),
            ("lenient", &["resync", "strict"][..])
        );
        let e = "Ready"
            .parse::<Availability>()
            .unwrap_err()
            .named("initial");
        assert_eq!(
            e.to_string(),
            r#"initial must be 'ready' or 'idle', not "Ready""#
        );
    }

    #[test]
    fn three_names_are_listed_with_commas_then_or() {
        let e = super::parse("colour", "teal", ["red", "green", "blue"], |c| c).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"colour must be 'red', 'green' or 'blue', not "teal""#
        );
    }
}
