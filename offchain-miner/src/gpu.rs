//! GPU facts through NVML, when an NVIDIA driver is present; nothing otherwise.

use nvml_wrapper::Nvml;

/// What the miner knows about its GPUs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GpuFacts {
	/// Name of the first GPU.
	pub name: String,
	/// Memory of the first GPU, MiB.
	pub vram_mib: u32,
	/// Number of GPUs.
	pub count: u32,
}

/// NVML, if the driver library loads.
pub struct Gpu {
	nvml: Option<Nvml>,
}

impl Gpu {
	/// Loads NVML; without a driver this is a GPU-less handle.
	pub fn detect() -> Self {
		match Nvml::init() {
			Ok(nvml) => Gpu { nvml: Some(nvml) },
			Err(e) => {
				tracing::info!(reason = %e, "no NVIDIA GPU (NVML not available); running without GPU facts");
				Gpu { nvml: None }
			}
		}
	}

	/// Name, memory and count, if a GPU is present.
	pub fn facts(&self) -> Option<GpuFacts> {
		let nvml = self.nvml.as_ref()?;
		let count = nvml.device_count().ok()?;
		let device = nvml.device_by_index(0).ok()?;
		Some(GpuFacts {
			name: device.name().unwrap_or_default(),
			vram_mib: device.memory_info().map(|m| (m.total / (1024 * 1024)) as u32).unwrap_or(0),
			count,
		})
	}

	/// Utilisation percent of the first GPU.
	pub fn utilization(&self) -> Option<u32> {
		let device = self.nvml.as_ref()?.device_by_index(0).ok()?;
		device.utilization_rates().ok().map(|u| u.gpu)
	}
}
