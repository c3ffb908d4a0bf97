//! The fast path for long lists (a 20,000-guest `/cluster/resources`): instead of JSON text,
//! the items are written on tokio threads as a tape of typed arrays (a tag per value, numbers
//! as `Float64Array`, small integers and string offsets as `Uint32Array`) plus one string
//! holding every string value, and `list_reader.js` builds the objects from it with one object
//! literal per shape. `JSON.parse` of the 5.8 MB text of such a listing took 20-30 ms of the
//! JavaScript thread, most of the call; strings that repeat (node names, states) cross once.
//!
//! The objects are exactly those of the JSON path: the same keys in the same order, `null`
//! where JSON has `null`, numbers that compare equal (non-finite ones become `null`, as
//! serde_json writes them). Any value the tape does not carry as such (a nested object or
//! array, an entry of a kind the core does not know) is written as JSON text by the JSON path's
//! own writer and parsed in place, and a list the tape cannot write at all takes the JSON path.

use std::fmt;

use napi::bindgen_prelude::{Float64Array, ToNapiValue, TypeName, Uint32Array, Uint8Array};
use napi::{sys, Env, JsFunction, JsUnknown, NapiRaw, NapiValue, ValueType};
use serde::ser::{self, Impossible, Serialize, Serializer};

use crate::instance::Instance;
use crate::json_text::JsonText;
use crate::mirror::{camel, Mirror, M};

/// Lists from this length on cross as tapes; shorter ones as JSON text, whose one native call
/// costs less than the reader's setup.
pub const TAPE_FROM: usize = proxmox_api_bindings::freed_memory::LARGE_RESULT;

/// The tags of `list_reader.js`.
#[repr(u8)]
#[derive(Clone, Copy)]
enum Tag {
    Null = 0,
    False = 1,
    True = 2,
    Number = 3,
    Int = 4,
    Text = 5,
    TextKept = 6,
    Kept = 7,
    Json = 8,
    Object = 9,
}

/// Whole numbers from 0 up to this cross as `Uint32Array` entries, which V8 keeps as small
/// integers (Smis, 32-bit in Node's builds) as `JSON.parse` does; larger ones are heap numbers
/// either way. Sizes of 1-2 GiB are common in a listing, and a heap number costs 16 bytes more.
const SMALL_INT: u64 = (1 << 31) - 1;
/// Strings up to this length are looked up among the recent values of their field.
const KEEP_UP_TO: usize = 32;
/// A field stops being looked up once it has shown this many different values.
const KEPT_PER_FIELD: usize = 8;

/// One chunk of a list, written by [`Tape::of`] for [`ModelJs::list`].
#[derive(Default)]
pub struct Tape {
    tags: Vec<u8>,
    ints: Vec<u32>,
    numbers: Vec<f64>,
    text: String,
    /// The length of `text` in UTF-16 units (JavaScript's string offsets).
    units: u32,
    /// The field names of each object shape, in order.
    shapes: Vec<Vec<&'static str>>,
    /// Per field position: the values seen and their table index, or `None` once there were
    /// too many to be worth looking up.
    kept: Vec<Option<Vec<(String, u32)>>>,
    table_len: u32,
}

/// A model's value as it crosses to JavaScript.
pub enum ModelJs {
    /// JSON text, for `JSON.parse`.
    Json(JsonText),
    /// A long list, one tape per chunk, in order.
    Tapes(Vec<Tape>),
}

impl ModelJs {
    /// `items` as tapes written on several threads, or as JSON text when short or when a tape
    /// cannot carry an item.
    pub fn list<T: Mirror + Sync>(items: &[T]) -> Result<Self, proxmox_api_core::Error> {
        if items.len() < TAPE_FROM {
            return JsonText::camel_list(items).map(ModelJs::Json);
        }
        let tapes: Option<Vec<Tape>> =
            proxmox_api_core::parallel::map_chunks(items, |chunk| Tape::of(chunk).ok())
                .into_iter()
                .collect();
        match tapes {
            Some(tapes) => Ok(ModelJs::Tapes(tapes)),
            None => JsonText::camel_list(items).map(ModelJs::Json),
        }
    }
}

/// Why a value was not written to the tape.
#[derive(Debug)]
enum Refused {
    /// A nested object or array, or a type the tape has no form for: written as JSON instead.
    Compound,
    /// The model's own serialization failed.
    Failed(String),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Compound => f.write_str("not a scalar"),
            Refused::Failed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Refused {}

impl ser::Error for Refused {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Refused::Failed(message.to_string())
    }
}

impl Tape {
    /// The tape of `items`; an error when an item's serialization fails.
    fn of<T: Mirror>(items: &[T]) -> Result<Tape, Refused> {
        let mut tape = Tape {
            tags: Vec::with_capacity(items.len() * 24),
            ints: Vec::with_capacity(items.len() * 12),
            numbers: Vec::with_capacity(items.len() * 8),
            text: String::with_capacity(items.len() * 24),
            ..Tape::default()
        };
        for item in items {
            let before = tape.tags.len();
            match M(item).serialize(ValueWriter {
                tape: &mut tape,
                field: None,
            }) {
                Ok(()) => {}
                // Refused before anything was written: the item is written as JSON.
                Err(Refused::Compound) if tape.tags.len() == before => {
                    tape.json(&M(item))?;
                }
                Err(error) => return Err(error),
            }
        }
        Ok(tape)
    }

    fn tag(&mut self, tag: Tag) {
        self.tags.push(tag as u8);
    }

    /// Appends `s` to the text and returns its start and end in UTF-16 units.
    fn cut(&mut self, s: &str) -> (u32, u32) {
        let start = self.units;
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        self.text.push_str(s);
        self.units = start.saturating_add(u32::try_from(units).unwrap_or(u32::MAX));
        (start, self.units)
    }

    fn string(&mut self, s: &str, field: Option<usize>) {
        let keep = field.filter(|_| s.len() <= KEEP_UP_TO);
        if let Some(field) = keep {
            if self.kept.len() <= field {
                self.kept.resize_with(field + 1, || Some(Vec::new()));
            }
            if let Some(seen) = &mut self.kept[field] {
                if let Some((_, index)) = seen.iter().find(|(value, _)| value == s) {
                    let index = *index;
                    self.tag(Tag::Kept);
                    self.ints.push(index);
                    return;
                }
                if seen.len() < KEPT_PER_FIELD {
                    seen.push((s.to_owned(), self.table_len));
                    self.table_len += 1;
                    self.tag(Tag::TextKept);
                    let (start, end) = self.cut(s);
                    self.ints.extend([start, end]);
                    return;
                }
                self.kept[field] = None;
            }
        }
        self.tag(Tag::Text);
        let (start, end) = self.cut(s);
        self.ints.extend([start, end]);
    }

    fn number(&mut self, x: f64) {
        if !x.is_finite() {
            // What serde_json writes for NaN and the infinities.
            self.tag(Tag::Null);
        } else if x >= 0.0 && x <= SMALL_INT as f64 && x.fract() == 0.0 && x.is_sign_positive() {
            self.int(x as u64);
        } else {
            self.tag(Tag::Number);
            self.numbers.push(x);
        }
    }

    fn int(&mut self, n: u64) {
        if n <= SMALL_INT {
            self.tag(Tag::Int);
            self.ints.push(n as u32);
        } else {
            // The double nearest to `n`, as `JSON.parse` reads its digits.
            self.tag(Tag::Number);
            self.numbers.push(n as f64);
        }
    }

    /// `value` as JSON text, written by the JSON path's writer, parsed by the reader in place.
    fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        let text = JsonText::camel(value).map_err(|e| Refused::Failed(e.to_string()))?;
        self.tag(Tag::Json);
        let (start, end) = self.cut(&text.0);
        self.ints.extend([start, end]);
        Ok(())
    }

    /// The shape index of an object whose fields are `names`, added when new.
    fn shape(&mut self, names: &[&'static str]) -> u32 {
        let same = |shape: &Vec<&'static str>| {
            shape.len() == names.len()
                && shape
                    .iter()
                    .zip(names)
                    .all(|(a, b)| std::ptr::eq(*a, *b) || a == b)
        };
        let index = match self.shapes.iter().rposition(same) {
            Some(index) => index,
            None => {
                self.shapes.push(names.to_vec());
                self.shapes.len() - 1
            }
        };
        u32::try_from(index).unwrap_or(u32::MAX)
    }
}

/// Writes one value: an item (`field` is `None`), which may be an object, or an object's field,
/// which may not (a nested object goes to JSON).
struct ValueWriter<'t> {
    tape: &'t mut Tape,
    field: Option<usize>,
}

/// Writes an item's fields, then its shape.
struct ObjectWriter<'t> {
    tape: &'t mut Tape,
    names: Vec<&'static str>,
    /// Where the shape index goes, once all the names are known.
    shape_at: usize,
}

impl ser::SerializeStruct for ObjectWriter<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        let field = self.names.len();
        self.names.push(key);
        let before = self.tape.tags.len();
        match value.serialize(ValueWriter {
            tape: self.tape,
            field: Some(field),
        }) {
            Ok(()) => Ok(()),
            Err(Refused::Compound) if self.tape.tags.len() == before => self.tape.json(value),
            Err(error) => Err(error),
        }
    }

    fn end(self) -> Result<(), Refused> {
        let shape = self.tape.shape(&self.names);
        self.tape.ints[self.shape_at] = shape;
        Ok(())
    }
}

macro_rules! refuse {
    ($($method:ident($($arg:ty),*) -> $ret:ty;)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ret, Refused> {
            Err(Refused::Compound)
        }
    )*};
}

impl<'t> Serializer for ValueWriter<'t> {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Impossible<(), Refused>;
    type SerializeTuple = Impossible<(), Refused>;
    type SerializeTupleStruct = Impossible<(), Refused>;
    type SerializeTupleVariant = Impossible<(), Refused>;
    type SerializeMap = Impossible<(), Refused>;
    type SerializeStruct = ObjectWriter<'t>;
    type SerializeStructVariant = Impossible<(), Refused>;

    fn serialize_bool(self, v: bool) -> Result<(), Refused> {
        self.tape.tag(if v { Tag::True } else { Tag::False });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Refused> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Refused> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Refused> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Refused> {
        match u64::try_from(v) {
            Ok(n) => self.tape.int(n),
            Err(_) => {
                self.tape.tag(Tag::Number);
                self.tape.numbers.push(v as f64);
            }
        }
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Refused> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Refused> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Refused> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Refused> {
        self.tape.int(v);
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Refused> {
        self.tape.number(v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Refused> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Refused> {
        self.tape.string(v, self.field);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Refused> {
        self.tape.tag(Tag::Null);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Refused> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Refused> {
        self.serialize_none()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Refused> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_struct(self, _: &'static str, len: usize) -> Result<ObjectWriter<'t>, Refused> {
        if self.field.is_some() {
            return Err(Refused::Compound);
        }
        self.tape.tag(Tag::Object);
        let shape_at = self.tape.ints.len();
        self.tape.ints.push(0);
        Ok(ObjectWriter {
            tape: self.tape,
            names: Vec::with_capacity(len),
            shape_at,
        })
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Refused> {
        Err(Refused::Compound)
    }

    // serde_json writes an `f32` by its own shortest digits, which do not read back as the
    // `f64` it widens to; integers beyond 64 bits and bytes have no form on the tape either;
    // nested sequences, maps and variants with data are compounds, written as JSON.
    refuse! {
        serialize_f32(f32) -> ();
        serialize_i128(i128) -> ();
        serialize_u128(u128) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

impl TypeName for ModelJs {
    fn type_name() -> &'static str {
        "ModelJs"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ModelJs {
    // SAFETY (the blocks below): every value is made into, or taken from, a JavaScript value on
    // this thread with the live `env` of the current call, and used only within it.
    #[allow(unsafe_code)]
    fn into_js(self, env: &Env) -> napi::Result<JsUnknown> {
        let tapes = match self {
            ModelJs::Json(text) => return text.parse(env),
            ModelJs::Tapes(tapes) => tapes,
        };
        let read = reader(env)?;
        let raw = env.raw();
        let out = unsafe { env.create_array_with_length(0)?.raw() };
        for tape in tapes {
            let Tape {
                tags,
                ints,
                numbers,
                text,
                shapes,
                ..
            } = tape;
            let keys = shapes
                .iter()
                .map(|names| {
                    let names: Vec<String> = names.iter().map(|name| camel(name)).collect();
                    serde_json::to_string(&names).unwrap_or_default()
                })
                .collect::<Vec<_>>();
            let mut shape_list = env.create_array_with_length(keys.len())?;
            for (i, key) in keys.into_iter().enumerate() {
                shape_list.set_element(
                    u32::try_from(i).unwrap_or(u32::MAX),
                    env.create_string_from_std(key)?,
                )?;
            }
            // Text is nearly always ASCII: copied as it is into a one-byte string.
            let text = if text.is_ascii() {
                env.create_string_latin1(text.as_bytes())?
            } else {
                env.create_string_from_std(text)?
            };
            let arrays = unsafe {
                [
                    Uint8Array::to_napi_value(raw, Uint8Array::new(tags))?,
                    Uint32Array::to_napi_value(raw, Uint32Array::new(ints))?,
                    Float64Array::to_napi_value(raw, Float64Array::new(numbers))?,
                ]
            };
            let [tags, ints, numbers] =
                arrays.map(|array| unsafe { JsUnknown::from_raw_unchecked(raw, array) });
            let read_result = read.call(
                None,
                &[
                    unsafe { JsUnknown::from_raw_unchecked(raw, out) },
                    tags,
                    ints,
                    numbers,
                    text.into_unknown(),
                    shape_list.into_unknown(),
                ],
            );
            // The tape's buffers (3 MB for 20,000 guests) are freed now rather than at some later
            // garbage collection: several listings' worth would otherwise wait for one.
            for array in arrays {
                unsafe { detach(raw, array) };
            }
            read_result?;
        }
        Ok(unsafe { JsUnknown::from_raw_unchecked(raw, out) })
    }
}

/// Detaches the `ArrayBuffer` under the typed array `array`, which frees the addon's buffer
/// it was made from.
///
/// # Safety
/// `env` must be the live environment of the current call and `array` a typed array of it that
/// nothing reads any more.
#[allow(unsafe_code)]
unsafe fn detach(env: sys::napi_env, array: sys::napi_value) {
    let mut kind = 0;
    let mut length = 0;
    let mut data = std::ptr::null_mut();
    let mut buffer = std::ptr::null_mut();
    let mut offset = 0;
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env,
            array,
            &mut kind,
            &mut length,
            &mut data,
            &mut buffer,
            &mut offset,
        )
    };
    if status == sys::Status::napi_ok && !buffer.is_null() {
        // Best effort: a buffer that cannot be detached is freed by the garbage collector.
        let _ = unsafe { sys::napi_detach_arraybuffer(env, buffer) };
    }
}

/// The compiled `list_reader.js` of this environment.
fn reader(env: &Env) -> napi::Result<JsFunction> {
    let instance = Instance::of(env)?;
    if let Some(reader) = &instance.list_reader {
        return env.get_reference_value(reader);
    }
    let read: JsFunction = env.run_script(include_str!("list_reader.js"))?;
    let reference = env.create_reference(&read)?;
    Instance::replace(env, &mut instance.list_reader, reference);
    Ok(read)
}

// SAFETY: napi calls `to_napi_value` on the JavaScript thread with the live `env` of the current
// call, which is what `Env::from_raw` requires.
#[allow(unsafe_code)]
impl ToNapiValue for ModelJs {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = unsafe { Env::from_raw(env) };
        val.into_js(&env).map(|value| unsafe { value.raw() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proxmox_api_core::models::{ClusterResource, TaskLogLine};

    #[test]
    fn short_lists_take_the_json_path_and_long_ones_the_tape() {
        let lines = |len: usize| -> Vec<TaskLogLine> {
            (0..len)
                .map(|i| TaskLogLine {
                    n: i as u64,
                    t: format!("line {i}"),
                })
                .collect()
        };
        assert!(matches!(
            ModelJs::list(&lines(TAPE_FROM - 1)),
            Ok(ModelJs::Json(_))
        ));
        assert!(matches!(
            ModelJs::list(&lines(TAPE_FROM)),
            Ok(ModelJs::Tapes(_))
        ));
    }

    #[test]
    fn values_get_their_tags_and_repeated_strings_the_table() {
        let entries: Vec<ClusterResource> = serde_json::from_str(
            r#"[{"type":"lxc","vmid":100,"node":"pve1","status":"running","maxmem":8589934592,"cpu":0.25},
                {"type":"lxc","vmid":101,"node":"pve1","status":"stopped","cpu":2.0,"netin":7},
                {"type":"sdn","sdn":"zone1"}]"#,
        )
        .unwrap();
        let tape = Tape::of(&entries).unwrap();
        assert_eq!(tape.shapes.len(), 1, "both guests have one shape");
        assert_eq!(tape.tags[0], Tag::Object as u8);
        assert_eq!(
            *tape.tags.last().unwrap(),
            Tag::Json as u8,
            "the unknown kind as JSON"
        );
        assert!(tape.numbers.contains(&8589934592.0) && tape.numbers.contains(&0.25));
        // `node` comes twice: kept the first time, then looked up.
        let kept = tape.tags.iter().filter(|t| **t == Tag::Kept as u8).count();
        assert!(kept >= 1, "{:?}", tape.tags);
        assert!(tape.text.contains("pve1") && tape.text.matches("pve1").count() == 1);
        assert!(tape.text.contains(r#""sdn":"zone1""#), "{}", tape.text);
    }

    #[test]
    fn utf16_offsets_count_units_not_bytes() {
        let mut tape = Tape::default();
        assert_eq!(tape.cut("é😀"), (0, 3));
        assert_eq!(tape.cut("ab"), (3, 5));
    }
}

/// For `test/list_tape.test.mjs`: the entries of a `GET /cluster/resources` answer's `data`
/// (`pveJson`, PVE's own JSON), decoded by the core, then handed to JavaScript both ways: as a
/// tape however short the list, and as JSON text. The test requires the two to be identical.
#[napi_derive::napi(
    ts_return_type = "{ tape: Array<ClusterResource>, json: Array<ClusterResource> }"
)]
pub fn list_paths_for_testing(env: Env, pve_json: String) -> napi::Result<napi::JsObject> {
    let entries: Vec<proxmox_api_core::models::ClusterResource> =
        serde_json::from_str(&pve_json).map_err(|e| napi::Error::from_reason(e.to_string()))?;
    let failed = |e: Refused| napi::Error::from_reason(e.to_string());
    let tapes = proxmox_api_core::parallel::map_chunks(&entries, Tape::of)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed)?;
    let json =
        JsonText::camel_list(&entries).map_err(|e| napi::Error::from_reason(e.to_string()))?;
    let mut both = env.create_object()?;
    both.set_named_property("tape", ModelJs::Tapes(tapes).into_js(&env)?)?;
    both.set_named_property("json", json.parse(&env)?)?;
    Ok(both)
}
