//! Decoding a model while noting one key the model itself does not have.
//!
//! `GET /cluster/resources` tags each entry with `type`, which may come anywhere in the object.
//! Finding the type first and then decoding the entry reads it twice; a listing is nearly all
//! guests, so the entry is decoded as a guest straight away and its `type` is picked out on the
//! way, in the same pass. The model's own derive sees every other key as usual.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde::Deserialize;

/// Decodes a `T` from `deserializer` and returns it with the string value of `key` at its top
/// level (`None` when absent or not a string).
pub(crate) fn deserialize_noting_key<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
    key: &'static str,
) -> Result<(T, Option<String>), D::Error> {
    let mut noted = None;
    let value = T::deserialize(Tapped {
        inner: deserializer,
        key,
        noted: &mut noted,
    })?;
    Ok((value, noted))
}

/// A deserializer that hands the model every key but `key`, whose value it keeps.
struct Tapped<'n, D> {
    inner: D,
    key: &'static str,
    noted: &'n mut Option<String>,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Tapped<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_any(TappedVisitor {
            visitor,
            key: self.key,
            noted: self.noted,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_struct(
            name,
            fields,
            TappedVisitor {
                visitor,
                key: self.key,
                noted: self.noted,
            },
        )
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

struct TappedVisitor<'n, V> {
    visitor: V,
    key: &'static str,
    noted: &'n mut Option<String>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for TappedVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(TappedMap {
            map,
            key: self.key,
            noted: self.noted,
        })
    }
}

struct TappedMap<'n, A> {
    map: A,
    key: &'static str,
    noted: &'n mut Option<String>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TappedMap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(KeyText(name)) = self.map.next_key::<KeyText<'de>>()? else {
                return Ok(None);
            };
            if name == self.key {
                let value = self.map.next_value::<serde_json::Value>()?;
                *self.noted = value.as_str().map(str::to_owned);
                continue;
            }
            return match name {
                Cow::Borrowed(name) => seed.deserialize(BorrowedStrDeserializer::new(name)),
                Cow::Owned(name) => seed.deserialize(StrDeserializer::new(&name)),
            }
            .map(Some);
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A key, borrowed from the input unless it had to be unescaped.
struct KeyText<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for KeyText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<KeyText<'de>, E> {
                Ok(KeyText(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText<'de>, E> {
                Ok(KeyText(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    /// Decodes `text` as a `T` and returns it with the string value of `key` at its top level
    /// (`None` when absent or not a string). `None` when `text` is not a valid `T`.
    fn decode_noting_key<T: serde::de::DeserializeOwned>(
        text: &str,
        key: &'static str,
    ) -> Option<(T, Option<String>)> {
        let mut json = serde_json::Deserializer::from_str(text);
        let value = super::deserialize_noting_key(&mut json, key).ok()?;
        json.end().ok()?;
        Some(value)
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Guest {
        vmid: u32,
        #[serde(rename = "na\u{e9}me", default)]
        name: String,
    }

    #[test]
    fn the_key_is_noted_wherever_it_comes_and_the_rest_decodes() {
        for text in [
            r#"{"type":"lxc","vmid":100}"#,
            r#"{"vmid":100,"type":"lxc"}"#,
            r#"{ "vmid" : 100 , "type" : "lxc" , "extra": [1, {"type": "inner"}] }"#,
        ] {
            let (guest, kind) = decode_noting_key::<Guest>(text, "type").expect(text);
            assert_eq!(guest.vmid, 100, "{text}");
            assert_eq!(kind.as_deref(), Some("lxc"), "{text}");
        }
    }

    #[test]
    fn escaped_keys_still_reach_the_model() {
        let (guest, kind) =
            decode_noting_key::<Guest>(r#"{"vmid":7,"na\u00e9me":"x"}"#, "type").unwrap();
        assert_eq!((guest.name.as_str(), kind), ("x", None));
    }

    #[test]
    fn a_value_of_another_shape_is_not_noted_and_a_bad_model_is_none() {
        let (_, kind) = decode_noting_key::<Guest>(r#"{"vmid":1,"type":{"a":1}}"#, "type").unwrap();
        assert_eq!(kind, None);
        assert!(decode_noting_key::<Guest>(r#"{"type":"node","node":"pve1"}"#, "type").is_none());
        assert!(decode_noting_key::<Guest>(r#"{"vmid":1} trailing"#, "type").is_none());
    }
}
