//! The `aitbc_*` RPC's objects are camelCase on the wire (polkadot-js's convention); the CLI's
//! `--json` output and the gateway's API are snake_case. [`snake_keys`] turns one into the
//! other, at every depth.

use serde_json::Value;

/// `value` with every object key renamed from camelCase to snake_case.
pub fn snake_keys(value: Value) -> Value {
	match value {
		Value::Object(map) => Value::Object(
			map.into_iter().map(|(key, value)| (snake_case(&key), snake_keys(value))).collect(),
		),
		Value::Array(items) => Value::Array(items.into_iter().map(snake_keys).collect()),
		other => other,
	}
}

/// `outputTokens` → `output_tokens`; snake_case names stay as they are.
pub fn snake_case(name: &str) -> String {
	let mut out = String::with_capacity(name.len() + 4);
	for c in name.chars() {
		if c.is_ascii_uppercase() {
			out.push('_');
			out.push(c.to_ascii_lowercase());
		} else {
			out.push(c);
		}
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	#[test]
	fn rpc_objects_come_out_snake_case_at_every_depth() {
		let value = snake_keys(
			json!({"jobId": 1, "usage": {"outputTokens": 2}, "list": [{"inFlight": 0}]}),
		);
		assert_eq!(
			value,
			json!({"job_id": 1, "usage": {"output_tokens": 2}, "list": [{"in_flight": 0}]})
		);
		assert_eq!(snake_case("already_snake"), "already_snake");
	}
}
