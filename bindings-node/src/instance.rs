//! What the addon keeps per JavaScript environment (the main thread and each worker): napi
//! allows one instance datum per environment, so every reference the addon holds lives here.

use napi::{Env, Ref};

/// The references of one environment, released when it shuts down.
#[derive(Default)]
pub struct Instance {
    /// The entry point's `fromFields` (see `js_error`).
    pub error_factory: Option<Ref<()>>,
    /// The compiled reader of long lists (see `list_tape`).
    pub list_reader: Option<Ref<()>>,
}

impl Instance {
    /// This environment's instance, created on first use.
    pub fn of(env: &Env) -> napi::Result<&'static mut Instance> {
        if env.get_instance_data::<Instance>()?.is_none() {
            // A reference must be released before it is dropped, when the environment ends.
            env.set_instance_data(Instance::default(), (), |mut context| {
                for mut reference in [
                    context.value.error_factory.take(),
                    context.value.list_reader.take(),
                ]
                .into_iter()
                .flatten()
                {
                    let _ = reference.unref(context.env);
                }
            })?;
        }
        env.get_instance_data::<Instance>()?
            .ok_or_else(|| napi::Error::from_reason("the addon's instance data is missing"))
    }

    /// Replaces `slot` with `reference`, releasing the reference it held.
    pub fn replace(env: &Env, slot: &mut Option<Ref<()>>, reference: Ref<()>) {
        if let Some(mut old) = slot.replace(reference) {
            let _ = old.unref(*env);
        }
    }
}
