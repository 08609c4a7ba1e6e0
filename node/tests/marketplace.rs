//! The marketplace on a real dev node: a miner registers, a client submits a job, the operator
//! acknowledges and delivers a signed result, and the job and its receipt are read back through
//! the `aitbc_*` RPC (which reads the runtime API `MarketplaceApi`). Extrinsics are built and
//! signed here from the runtime's own types and sent with `author_submitExtrinsic`.

mod common;

use std::time::Duration;

use aitbc_primitives::{json::hex_bytes, JobKind};
use aitbc_primitives::{
	operator_proof_bytes, output_hash, prompt_hash, verify_receipt, ReceiptPayload, UnitType, Usage,
};
use aitbc_runtime::{
	Runtime, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic, UNIT, VERSION,
};
use codec::Encode;
use common::{wait_until, Node, TempDir};
use pallet_aitbc_jobs::InferenceParams;
use pallet_aitbc_miners::{GpuInfo, MinerOffer};
use serde_json::{json, Value};
use sp_core::{
	crypto::{AccountId32, Ss58AddressFormat, Ss58Codec},
	H256,
};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, MultiAddress, MultiSignature};

const MODEL: &str = "llama3.2:latest";
const UNIT_PRICE: u128 = 1_000_000;
const OUTPUT: &str = "Machine learning is a field of study in artificial intelligence.";

/// A signed extrinsic of `call` by `signer` with `nonce`, immortal.
fn signed(call: RuntimeCall, signer: Sr25519Keyring, nonce: u32, genesis: H256) -> String {
	let tx_ext: TxExtension = (
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_aitbc_jobs::CheckJobCalls::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	let implicit = (
		(),
		VERSION.spec_version,
		VERSION.transaction_version,
		genesis,
		genesis,
		(),
		(),
		(),
		(),
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	let extrinsic = UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(signer.to_account_id()),
		MultiSignature::Sr25519(signature),
		tx_ext,
	);
	hex_bytes::encode(&extrinsic.encode())
}

/// A `0x`-hex field of an RPC object, as the clients read it (`aitbc_primitives::json`).
fn unhex<const N: usize>(value: &Value) -> [u8; N] {
	hex_bytes::decode(value.as_str().expect("hex string")).expect("0x-hex of N bytes")
}

fn submit(node: &Node, extrinsic: String) {
	node.rpc("author_submitExtrinsic", json!([extrinsic]))
		.unwrap_or_else(|e| panic!("{e}\n{}", node.log_tail()));
}

/// Polls `method(params)` until `ready` accepts its result.
fn wait_for(
	node: &Node,
	method: &str,
	params: Value,
	what: &str,
	ready: impl Fn(&Value) -> bool,
) -> Value {
	wait_until(Duration::from_secs(60), what, || {
		node.rpc(method, params.clone()).ok().filter(|v| ready(v))
	})
	.unwrap_or_else(|e| panic!("{e}\n{}", node.log_tail()))
}

#[test]
fn a_job_runs_end_to_end_and_its_receipt_is_read_over_rpc() {
	let logs = TempDir::new("marketplace");
	let mut node = Node::start(&["--dev", "--tmp"], &logs.0);
	node.wait_ready(Duration::from_secs(60));
	let genesis: H256 = serde_json::from_value(node.rpc("chain_getBlockHash", json!([0])).unwrap())
		.expect("genesis hash");

	// Bob owns a miner that Charlie's key operates.
	let charlie = Sr25519Keyring::Charlie.to_account_id();
	let miner = register_charlie(&node, genesis, 2);
	assert_eq!(miner["models"], json!([MODEL]));
	assert_eq!(miner["status"], "active");

	let quote = node.rpc("aitbc_quote", json!([MODEL, 16])).unwrap();
	assert_eq!(quote["availableMiners"], 1);
	assert_eq!(quote["minPrice"], (16 * UNIT_PRICE).to_string());

	// Alice submits a job; it is assigned to Charlie in the same block.
	submit(&node, signed(job("What is machine learning?"), Sr25519Keyring::Alice, 0, genesis));
	let assigned = wait_for(&node, "aitbc_job", json!([0]), "the job's assignment", |v| {
		v["status"] == "assigned"
	});
	assert_eq!(assigned["operator"], address(&charlie));
	let held = node.rpc("aitbc_heldJobs", json!([charlie.to_string()])).unwrap();
	assert_eq!(ids(&held), [0], "Charlie holds the job");
	assert_eq!(assigned["prompt"], "What is machine learning?");

	// Charlie acknowledges, then delivers a signed result.
	let ack = RuntimeCall::Jobs(pallet_aitbc_jobs::Call::acknowledge {
		job_ids: vec![0].try_into().unwrap(),
	});
	submit(&node, signed(ack, Sr25519Keyring::Charlie, 0, genesis));
	let usage = Usage { prompt_tokens: 7, output_tokens: 12, compute_ms: 480 };
	let price = 12 * UNIT_PRICE;
	let alice: [u8; 32] = *Sr25519Keyring::Alice.to_account_id().as_ref();
	let payload = ReceiptPayload {
		genesis_hash: genesis.0,
		job_id: 0,
		client: alice,
		model: MODEL.as_bytes().to_vec(),
		prompt_hash: prompt_hash(b"What is machine learning?"),
		output_hash: output_hash(OUTPUT.as_bytes()),
		usage,
		price,
	};
	let result = RuntimeCall::Jobs(pallet_aitbc_jobs::Call::submit_result {
		job_id: 0,
		output: OUTPUT.as_bytes().to_vec().try_into().unwrap(),
		usage,
		signature: Sr25519Keyring::Charlie.sign(&payload.signing_bytes()).0,
	});
	submit(&node, signed(result, Sr25519Keyring::Charlie, 1, genesis));

	let done = wait_for(&node, "aitbc_job", json!([0]), "the job's completion", |v| {
		v["status"] == "completed"
	});
	assert_eq!(done["output"], OUTPUT);
	assert_eq!(done["usage"]["outputTokens"], 12);
	assert_eq!(done["receiptId"], 0);
	let held = node.rpc("aitbc_heldJobs", json!([charlie.to_string()])).unwrap();
	assert_eq!(held, json!([]), "a completed job is held no more");

	let receipts = node.rpc("aitbc_receipts", json!([0, null])).unwrap();
	let receipt = &receipts[0];
	assert_eq!(receipt["jobId"], 0);
	assert_eq!(receipt["price"], price.to_string());
	assert_eq!(receipt["units"], 12);
	assert_eq!(receipt["minerOwner"], address(&Sr25519Keyring::Bob.to_account_id()));
	assert_eq!(receipt["client"], address(&Sr25519Keyring::Alice.to_account_id()));
	assert_eq!(receipt["status"], "unclaimed");
	// 2% protocol fee
	assert_eq!(receipt["fee"], (price / 50).to_string());

	// The receipt verifies off chain from its own fields and the operator's key.
	assert_eq!(receipt["model"], MODEL);
	let from_rpc = ReceiptPayload {
		genesis_hash: genesis.0,
		job_id: 0,
		client: alice,
		model: receipt["model"].as_str().unwrap().as_bytes().to_vec(),
		prompt_hash: unhex::<32>(&receipt["promptHash"]),
		output_hash: unhex::<32>(&receipt["outputHash"]),
		usage,
		price: receipt["price"].as_str().unwrap().parse().unwrap(),
	};
	assert!(verify_receipt(
		&from_rpc,
		&unhex::<64>(&receipt["signature"]),
		&Sr25519Keyring::Charlie.public().0
	));
	assert_eq!(node.rpc("aitbc_receipt", json!([0])).unwrap(), *receipt);
	assert_eq!(node.rpc("aitbc_jobs", json!([null, "completed", 10])).unwrap()[0]["id"], 0);
	// Status names are the chain's snake_case names, in any case (as before the typed boundary).
	assert_eq!(node.rpc("aitbc_jobs", json!([null, "Completed", 10])).unwrap()[0]["id"], 0);
	let bad_status = node.rpc("aitbc_jobs", json!([null, "bogus", 10])).unwrap_err();
	assert!(
		bad_status.contains("-32602") && bad_status.contains("unknown job status"),
		"{bad_status}"
	);
	assert_eq!(node.rpc("aitbc_parameters", json!([])).unwrap()["ackTimeout"], 3);

	// `at`: the chain as it was at genesis (no job yet), and a block this node does not have.
	assert_eq!(node.rpc("aitbc_job", json!([0, genesis])).unwrap(), Value::Null);
	assert_eq!(node.rpc("aitbc_job", json!([0, null])).unwrap()["status"], "completed");
	let unknown = node.rpc("aitbc_job", json!([0, H256::repeat_byte(7)])).unwrap_err();
	assert!(unknown.contains("9001"), "{unknown}");
}

#[test]
fn jobs_page_newest_first_with_before_and_an_operator_reads_its_held_jobs() {
	let logs = TempDir::new("marketplace-paging");
	let mut node = Node::start(&["--dev", "--tmp"], &logs.0);
	node.wait_ready(Duration::from_secs(60));
	let genesis: H256 = serde_json::from_value(node.rpc("chain_getBlockHash", json!([0])).unwrap())
		.expect("genesis hash");
	let charlie = Sr25519Keyring::Charlie.to_account_id().to_string();
	register_charlie(&node, genesis, 3);

	// Alice submits jobs 0, 1 and 2; Charlie (capacity 3) is assigned all three.
	for nonce in 0..3 {
		submit(
			&node,
			signed(job(&format!("Question {nonce}")), Sr25519Keyring::Alice, nonce, genesis),
		);
	}
	let held = wait_for(&node, "aitbc_heldJobs", json!([charlie]), "three held jobs", |v| {
		v.as_array().is_some_and(|jobs| jobs.len() == 3)
	});
	assert_eq!(ids(&held), [0, 1, 2], "oldest first");
	for job in held.as_array().unwrap() {
		assert_eq!(job["status"], "assigned");
		assert_eq!(job["operator"], charlie_address());
		let deposit = job["deposit"].as_str().expect("the deposit, a decimal string");
		assert!(deposit.parse::<u128>().is_ok(), "{deposit}");
	}
	let bob = Sr25519Keyring::Bob.to_account_id().to_string();
	assert_eq!(node.rpc("aitbc_heldJobs", json!([bob])).unwrap(), json!([]), "Bob operates none");

	// Acknowledged (within the ack window of a few blocks), they are running, and still held
	// until their result deadline, which leaves time for the reads below.
	let ack = RuntimeCall::Jobs(pallet_aitbc_jobs::Call::acknowledge {
		job_ids: vec![0, 1, 2].try_into().unwrap(),
	});
	submit(&node, signed(ack, Sr25519Keyring::Charlie, 0, genesis));
	let held = wait_for(&node, "aitbc_heldJobs", json!([charlie]), "three running jobs", |v| {
		v.as_array().is_some_and(|jobs| jobs.iter().all(|job| job["status"] == "running"))
	});
	assert_eq!(ids(&held), [0, 1, 2]);

	// Pages of two, newest first: `before` continues below the smallest id of a page.
	let jobs = |params: Value| ids(&node.rpc("aitbc_jobs", params).unwrap());
	assert_eq!(jobs(json!([null, null, 2])), [2, 1]);
	assert_eq!(jobs(json!([null, null, 2, 1])), [0]);
	assert_eq!(jobs(json!([null, null, 2, 0])), Vec::<u64>::new());
	assert_eq!(jobs(json!([null, "running", 10, 2])), [1, 0]);
	let alice = Sr25519Keyring::Alice.to_account_id().to_string();
	assert_eq!(jobs(json!([alice, null, 2, 2])), [1, 0], "a client's own jobs page the same way");
	assert_eq!(jobs(json!([bob, null, 10])), Vec::<u64>::new());
	// `at` stays the last parameter, after `before`.
	assert_eq!(jobs(json!([null, null, 10, null, genesis])), Vec::<u64>::new());
	assert_eq!(jobs(json!([null, null, 10, 3, null])), [2, 1, 0]);
	// Named parameters too.
	let named = node.rpc("aitbc_jobs", json!({ "limit": 1, "before": 2 })).unwrap();
	assert_eq!(ids(&named), [1]);
}

/// Bob registers a miner for `MODEL` with `capacity`, operated by Charlie's key; its record
/// once the node has it.
fn register_charlie(node: &Node, genesis: H256, capacity: u32) -> Value {
	let offer = MinerOffer {
		models: vec![MODEL.as_bytes().to_vec().try_into().unwrap()].try_into().unwrap(),
		unit_type: UnitType::OutputToken,
		unit_price: UNIT_PRICE,
		capacity,
		gpu: GpuInfo {
			name: b"NVIDIA H100".to_vec().try_into().unwrap(),
			vram_mib: 81_920,
			count: 1,
		},
	};
	let charlie = Sr25519Keyring::Charlie.to_account_id();
	let bob = Sr25519Keyring::Bob.to_account_id();
	let operator_proof =
		Sr25519Keyring::Charlie.sign(&operator_proof_bytes(&genesis.0, bob.as_ref())).0;
	let register = RuntimeCall::Miners(pallet_aitbc_miners::Call::register {
		operator: charlie.clone(),
		offer,
		stake: 1_000 * UNIT,
		operator_proof,
	});
	submit(node, signed(register, Sr25519Keyring::Bob, 0, genesis));
	wait_for(node, "aitbc_miner", json!([charlie.to_string()]), "the miner", |v| !v.is_null())
}

/// A job for `MODEL` asking `prompt`, at most 16 tokens for at most 1 AIT.
fn job(prompt: &str) -> RuntimeCall {
	RuntimeCall::Jobs(pallet_aitbc_jobs::Call::submit_job {
		kind: JobKind::TextInference,
		model: MODEL.as_bytes().to_vec().try_into().unwrap(),
		prompt: prompt.as_bytes().to_vec().try_into().unwrap(),
		params: InferenceParams { temperature_milli: 700, max_tokens: 16, seed: Some(7) },
		max_price: UNIT,
		ttl: None,
		min_reputation: None,
	})
}

/// The ids of a list of Job objects, in order.
fn ids(jobs: &Value) -> Vec<u64> {
	jobs.as_array().expect("a list of jobs").iter().map(|job| job["id"].as_u64().unwrap()).collect()
}

fn charlie_address() -> String {
	address(&Sr25519Keyring::Charlie.to_account_id())
}

/// An account as the node prints it: SS58 with AITBC's prefix.
fn address(account: &AccountId32) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(aitbc_runtime::SS58_PREFIX))
}
