//! LXC templates across the cluster: which nodes and storages hold which template.

use std::collections::BTreeMap;

use crate::api::aggregate::PerNode;
use crate::client::Client;
use crate::error::Error;
use crate::models::StorageContentItem;

/// Where one copy of a template lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TemplateLocation {
    /// The node.
    pub node: String,
    /// The storage on that node.
    pub storage: String,
}

/// One template (by volume id) and every place it can be used from.
#[derive(Debug, Clone)]
pub struct TemplateAvailability {
    /// The volume id, e.g. `local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`.
    pub volid: String,
    /// The file name part of the volume id.
    pub name: String,
    /// Size in bytes, when the storage reported it.
    pub size: Option<u64>,
    /// Every node and storage holding it, sorted.
    pub locations: Vec<TemplateLocation>,
}

impl TemplateAvailability {
    /// The nodes holding it.
    pub fn nodes(&self) -> impl Iterator<Item = &str> {
        self.locations.iter().map(|l| l.node.as_str())
    }
}

/// The cluster's templates merged by volume id, plus the nodes that could not be asked.
#[derive(Debug)]
pub struct TemplateCatalog {
    /// Templates sorted by volume id.
    pub templates: Vec<TemplateAvailability>,
    /// Nodes that failed or were offline, with their error.
    pub unreachable: BTreeMap<String, Error>,
}

/// Templates across the cluster. Created by [`Client::templates`].
#[derive(Debug, Clone)]
pub struct TemplatesApi {
    client: Client,
}

impl Client {
    /// Templates across the cluster.
    pub fn templates(&self) -> TemplatesApi {
        TemplatesApi {
            client: self.clone(),
        }
    }
}

impl TemplatesApi {
    /// The downloaded templates of every node, each node with its own result.
    pub async fn per_node(&self) -> Result<PerNode<Vec<StorageContentItem>>, Error> {
        self.client
            .fan_out()
            .run(|node| async move { node.templates().await })
            .await
    }

    /// Every downloaded template in the cluster with the nodes and storages that hold it.
    pub async fn list_all(&self) -> Result<TemplateCatalog, Error> {
        Ok(merge_templates(self.per_node().await?))
    }
}

/// Merges per-node template lists by volume id.
pub fn merge_templates(per_node: PerNode<Vec<StorageContentItem>>) -> TemplateCatalog {
    let mut merged: BTreeMap<String, TemplateAvailability> = BTreeMap::new();
    let mut unreachable = BTreeMap::new();
    for (node, result) in per_node {
        let items = match result {
            Ok(items) => items,
            Err(e) => {
                unreachable.insert(node, e);
                continue;
            }
        };
        for item in items {
            let storage = item.volid.split(':').next().unwrap_or_default().to_owned();
            let entry = merged
                .entry(item.volid.clone())
                .or_insert_with(|| TemplateAvailability {
                    name: item
                        .volid
                        .rsplit('/')
                        .next()
                        .unwrap_or(&item.volid)
                        .to_owned(),
                    volid: item.volid.clone(),
                    size: item.size,
                    locations: Vec::new(),
                });
            entry.locations.push(TemplateLocation {
                node: node.clone(),
                storage,
            });
        }
    }
    let templates = merged
        .into_values()
        .map(|mut t| {
            t.locations.sort();
            t.locations.dedup();
            t
        })
        .collect();
    TemplateCatalog {
        templates,
        unreachable,
    }
}
