//! `client.templates()`: container templates across the cluster.

use napi_derive::napi;
use proxmox_api_core::api::TemplatesApi as CoreTemplates;
use proxmox_api_core::Error as CoreError;

use crate::abort::{abortable, AbortSignal};
use crate::json_text::JsonText;
use crate::mirror::M;
use crate::outcome::Outcome;
use crate::per_node::{Catalog, PerNodeResults};

/// Templates across the cluster. Created by `client.templates()`.
#[napi]
pub struct TemplatesApi {
    pub(crate) inner: CoreTemplates,
}

#[napi]
impl TemplatesApi {
    /// Each node's templates, asked concurrently; a node's failure does not fail the others.
    #[napi(ts_return_type = "Promise<PerNode<Array<StorageContentItem>>>")]
    pub async fn per_node(&self, signal: Option<AbortSignal>) -> Outcome<PerNodeResults> {
        abortable(signal, async {
            self.inner.per_node().await.map(PerNodeResults::new)
        })
        .await
        .into()
    }

    /// The templates merged by volume id, each with every node and storage holding it, plus the
    /// nodes that could not be asked.
    #[napi(ts_return_type = "Promise<TemplateCatalog>")]
    pub async fn list_all(&self, signal: Option<AbortSignal>) -> Outcome<Catalog> {
        abortable(signal, async {
            let catalog = self.inner.list_all().await?;
            Ok::<_, CoreError>(Catalog {
                templates: JsonText::camel(&M(&catalog.templates))?,
                unreachable: catalog.unreachable.into_iter().collect(),
            })
        })
        .await
        .into()
    }
}
