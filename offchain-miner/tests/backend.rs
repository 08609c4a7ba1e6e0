//! The backend clients, streaming, against an Ollama-protocol test server (response and error
//! bodies shaped like a real Ollama's) and against the real llama.cpp server serving
//! SmolLM2-135M (`scripts/setup-llama` installs it; `scripts/test` sources it).

use std::time::Duration;

use aitbc_e2e::{
	backend::{Mode, TestBackend},
	harness::{free_port, TempDir},
	llama,
};
use aitbc_miner::backend::{
	Backend, BackendError, Generation, Ollama, OpenAi, OpenAiMode, Request,
};

const MODEL: &str = "llama3.2:latest";

fn request(model: &str, max_tokens: u32) -> Request {
	Request {
		model: model.into(),
		prompt: "Name one planet of the solar system.".into(),
		temperature: 0.0,
		max_tokens,
		seed: Some(7),
	}
}

/// Runs `backend` on `request`, collecting the streamed pieces.
async fn generate(
	backend: &Backend,
	request: &Request,
) -> (Result<Generation, BackendError>, Vec<String>) {
	let mut pieces = Vec::new();
	let result = backend.generate(request, &mut |piece: &str| pieces.push(piece.to_string())).await;
	(result, pieces)
}

async fn test_server(mode: Mode) -> TestBackend {
	TestBackend::start("127.0.0.1:0".parse().unwrap(), &[MODEL], mode, Duration::from_millis(20))
		.await
		.expect("start the test server")
}

#[tokio::test]
async fn ollama_lists_models_and_generates_with_the_servers_token_counts() {
	let server = test_server(Mode::Ok).await;
	let ollama = Backend::Ollama(Ollama::new(&format!("{}/", server.url())));
	assert_eq!(ollama.models().await.unwrap(), vec![MODEL.to_string()]);

	let (generation, pieces) = generate(&ollama, &request(MODEL, 5)).await;
	let generation = generation.unwrap();
	assert_eq!(generation.text, "Echo: Name one planet of the");
	assert_eq!(
		pieces,
		["Echo: ", "Name ", "one ", "planet ", "of ", "the"],
		"streamed word by word"
	);
	// `eval_count` and `prompt_eval_count` from the body, not counted by the client.
	assert_eq!(generation.output_tokens, 6);
	assert_eq!(generation.prompt_tokens, 7);
	// `total_duration` (nanoseconds) is the compute time.
	assert_eq!(generation.compute_ms, 20);
}

#[tokio::test]
async fn ollama_error_bodies_become_reasons() {
	let server = test_server(Mode::ServerError).await;
	let ollama = Backend::Ollama(Ollama::new(&server.url()));
	let error = generate(&ollama, &request(MODEL, 5)).await.0.unwrap_err();
	assert_eq!(
		error,
		BackendError::Status {
			status: 500,
			message: "llama runner process has terminated: signal: killed".into()
		}
	);
	assert_eq!(
		error.reason(),
		"backend error 500: llama runner process has terminated: signal: killed"
	);
	assert!(!error.is_down());

	server.behaviour.set_mode(Mode::Malformed);
	let (error, pieces) = generate(&ollama, &request(MODEL, 5)).await;
	let error = error.unwrap_err();
	assert!(matches!(error, BackendError::Malformed(_)), "{error:?}");
	assert!(error.reason().starts_with("backend answered malformed JSON"), "{}", error.reason());
	assert_eq!(pieces, ["Echo: "], "the piece before the bad line was streamed");

	server.behaviour.set_mode(Mode::Cut);
	let (error, pieces) = generate(&ollama, &request(MODEL, 5)).await;
	let error = error.unwrap_err();
	assert!(matches!(error, BackendError::Interrupted(_)), "{error:?}");
	assert!(error.reason().starts_with("backend stopped mid-generation"), "{}", error.reason());
	assert_eq!(pieces, ["Echo: ", "Name "]);

	server.behaviour.set_mode(Mode::Ok);
	let error = generate(&ollama, &request("ghost:7b", 5)).await.0.unwrap_err();
	assert_eq!(error, BackendError::UnknownModel("ghost:7b".into()));

	server.behaviour.set_mode(Mode::Down);
	let error = ollama.models().await.unwrap_err();
	assert_eq!(
		error,
		BackendError::Status { status: 503, message: "server is shutting down".into() }
	);
}

#[tokio::test]
async fn ollama_hang_is_bounded_by_the_callers_deadline() {
	let server = test_server(Mode::Hang).await;
	let backend = Backend::Ollama(Ollama::new(&server.url()));
	let outcome =
		tokio::time::timeout(Duration::from_millis(300), generate(&backend, &request(MODEL, 5)))
			.await;
	assert!(outcome.is_err(), "a hanging server never answers: {outcome:?}");
}

#[tokio::test]
async fn unreachable_backend_is_down() {
	let url = format!("http://127.0.0.1:{}", free_port());
	for backend in
		[Backend::Ollama(Ollama::new(&url)), Backend::OpenAi(OpenAi::new(&url, OpenAiMode::Chat))]
	{
		let error = backend.models().await.unwrap_err();
		assert!(error.is_down(), "{error:?}");
		assert!(error.reason().starts_with("backend unreachable"), "{}", error.reason());
	}
}

/// The real llama.cpp server: real text, streamed in pieces, and honest token counts through
/// both OpenAI endpoints (llama-cpp-python streams no usage: the pieces count the output, its
/// tokenizer the prompt).
#[test]
fn openai_client_against_real_llama_cpp() {
	let dir = TempDir::new("miner-llama");
	let server = llama::start(dir.path());
	let rt = tokio::runtime::Runtime::new().unwrap();
	rt.block_on(async {
		let chat = OpenAi::new(&server.url, OpenAiMode::Chat);
		let models = chat.models().await.unwrap();
		assert!(models.iter().any(|m| m == llama::MODEL), "{models:?}");

		for mode in [OpenAiMode::Chat, OpenAiMode::Completion] {
			let client = Backend::OpenAi(OpenAi::new(&server.url, mode));
			let (generation, pieces) = generate(&client, &request(llama::MODEL, 16)).await;
			let generation = generation.unwrap();
			assert!(!generation.text.trim().is_empty(), "{mode:?}: real text");
			assert!(pieces.len() > 1, "{mode:?}: streamed in pieces: {pieces:?}");
			assert_eq!(pieces.concat(), generation.text, "{mode:?}");
			assert!(
				(1..=16).contains(&generation.output_tokens),
				"{mode:?}: {} output tokens",
				generation.output_tokens
			);
			assert!(
				generation.prompt_tokens >= 5,
				"{mode:?}: {} prompt tokens",
				generation.prompt_tokens
			);
			assert!(generation.compute_ms > 0);
		}
	});
}
