//! `aitbc-node --dev --tmp` starts, tells wallets what its token is, and produces and finalizes
//! blocks.

mod common;

use std::time::Duration;

use common::{wait_until, Node, TempDir};
use serde_json::json;

#[test]
fn dev_node_reports_properties_and_produces_and_finalizes_blocks() {
	let logs = TempDir::new("dev-node");
	let mut node = Node::start(&["--dev", "--tmp"], &logs.0);
	node.wait_ready(Duration::from_secs(60));

	let properties = node.rpc("system_properties", json!([])).expect("system_properties");
	assert_eq!(properties["tokenSymbol"], "AIT", "{properties}");
	assert_eq!(properties["tokenDecimals"], 12, "{properties}");
	assert_eq!(properties["ss58Format"], 4242, "{properties}");
	assert_eq!(node.rpc("system_chain", json!([])).expect("system_chain"), "AITBC Development");

	let best_start = node.best_number().expect("best block");
	let finalized_start = node.finalized_number().expect("finalized block");
	let fail = |e: String| panic!("{e}\n{}", node.log_tail());

	let best = wait_until(Duration::from_secs(60), "the best block to advance by 3", || {
		node.best_number().ok().filter(|n| *n >= best_start + 3)
	})
	.unwrap_or_else(fail);
	let finalized =
		wait_until(Duration::from_secs(60), "the finalized block to advance by 2", || {
			node.finalized_number().ok().filter(|n| *n >= finalized_start + 2)
		})
		.unwrap_or_else(fail);

	assert!(best >= 3 && finalized >= 2, "best {best}, finalized {finalized}");
	assert!(finalized <= node.best_number().expect("best block"));
}
