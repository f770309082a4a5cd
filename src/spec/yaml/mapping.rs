//! One mapping being assembled: keys turned into strings, duplicates refused,
//! `<<` merge keys applied.
//!
//! It owns the rules for entries of a single mapping; it does not parse,
//! count nodes or follow aliases (`build.rs` hands it finished nodes).
//!
//! Keys become strings the way sigs.k8s.io/yaml makes JSON object keys
//! (`yes: x` has the key `"true"`), so two keys that would collide in JSON
//! (`1` and `"1"`) are duplicates here. One departure: sigs.k8s.io/yaml
//! refuses a null key, podinit reads it as `"null"`.
//!
//! Merges follow go-yaml v2's decoder, which writes entries into the map in
//! document order: a `<<` overwrites the keys already there, a key written
//! after it overwrites merged ones, and in `<<: [*a, *b]` the list is applied
//! from the end so that `*a` wins. So an explicit key wins over a merge that
//! comes before it (the usual layout) but not over one that comes after.
//! Two explicit equal keys are an error: go-yaml's lax decoding would keep
//! the last one silently, the API server's strict field validation reports
//! a duplicate field.

use std::collections::HashMap;

use super::super::node::{Mark, Node, Value};
use super::YamlError;
use super::resolve::key_string;

#[derive(Debug, Default)]
pub(crate) struct MapBuilder {
    entries: Vec<(Node, Node)>,
    /// Key string to its entry, and where the key was first written in
    /// this mapping itself (`None` while only merges gave it).
    index: HashMap<String, (usize, Option<Mark>)>,
}

impl MapBuilder {
    /// Checks a key node and turns it into a string key; a sequence or a
    /// mapping cannot be a key (JSON has none).
    pub(crate) fn make_key(mut key: Node) -> Result<Node, YamlError> {
        let Some(s) = key_string(&key.value) else {
            return Err(YamlError::at(
                key.mark,
                format!("{} cannot be a mapping key", key.value.kind()),
            ));
        };
        key.value = Value::String(s);
        Ok(key)
    }

    /// Adds `key: value` written in the mapping itself; `key` comes from
    /// [`Self::make_key`].
    pub(crate) fn insert(&mut self, key: Node, value: Node) -> Result<(), YamlError> {
        let Value::String(name) = &key.value else {
            return Err(YamlError::at(
                key.mark,
                "mapping key is not a string".into(),
            ));
        };
        match self.index.get(name.as_str()).copied() {
            Some((_, Some(first))) => Err(YamlError::at(
                key.mark,
                format!("duplicate key {name:?} at {}, first at {first}", key.mark),
            )),
            Some((i, None)) => {
                self.index.insert(name.clone(), (i, Some(key.mark)));
                self.entries[i] = (key, value);
                Ok(())
            }
            None => {
                let at = self.entries.len();
                self.index.insert(name.clone(), (at, Some(key.mark)));
                self.entries.push((key, value));
                Ok(())
            }
        }
    }

    /// Applies the value of a `<<` key: a mapping, or a sequence of
    /// mappings (aliases already expanded). As in go-yaml v2, an alias
    /// right after `<<` must name a mapping, not a sequence of them.
    pub(crate) fn merge(&mut self, source: Node, aliased: bool) -> Result<(), YamlError> {
        let wrong = |mark| {
            YamlError::at(
                mark,
                "the value of a << merge key must be a mapping, an alias of one, or a sequence \
                 of those"
                    .into(),
            )
        };
        match source.value {
            Value::Map(entries) => self.merge_entries(entries),
            Value::Seq(items) if !aliased => {
                if let Some(bad) = items.iter().find(|n| !matches!(n.value, Value::Map(_))) {
                    return Err(wrong(bad.mark));
                }
                for item in items.into_iter().rev() {
                    if let Value::Map(entries) = item.value {
                        self.merge_entries(entries);
                    }
                }
            }
            _ => return Err(wrong(source.mark)),
        }
        Ok(())
    }

    fn merge_entries(&mut self, entries: Vec<(Node, Node)>) {
        for (key, value) in entries {
            let Value::String(name) = &key.value else {
                continue;
            };
            match self.index.get(name.as_str()) {
                // A write over an existing key, as go-yaml's decoder does;
                // the key keeps its place, its node and its explicit mark.
                Some(&(i, _)) => self.entries[i].1 = value,
                None => {
                    let at = self.entries.len();
                    self.index.insert(name.clone(), (at, None));
                    self.entries.push((key, value));
                }
            }
        }
    }

    pub(crate) fn finish(self) -> Value {
        Value::Map(self.entries)
    }
}
