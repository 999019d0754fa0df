//! Non-negative matrix factorisation of a spectrogram, `V ≈ W H`, by the multiplicative updates
//! of Févotte & Idier, "Algorithms for nonnegative matrix factorization with the
//! β-divergence" (Neural Computation 23(9), 2011), and source separation by its components.
//!
//! * `V` is a non-negative spectrogram (`n_bins × n_frames`, usually magnitudes), `W` holds `K`
//!   spectral *templates* (`n_bins × K`) and `H` their *activations* over time (`K × n_frames`).
//! * The cost is the β-divergence `D_β(V | WH)`: β = 2 Euclidean (half the squared Frobenius
//!   norm), β = 1 generalised Kullback–Leibler, β = 0 Itakura–Saito, or any other β.
//! * Updates (Févotte & Idier 2011): `W ← W ⊙ [((WH)^(β−2) ⊙ V) Hᵀ / (WH)^(β−1)
//!   Hᵀ]^γ`, then `H ← H ⊙ [Wᵀ((WH)^(β−2) ⊙ V) / Wᵀ(WH)^(β−1)]^γ` with the new `W`. The exponent is their
//!   majorisation–minimisation one, `γ(β) = 1/(2−β)` for β < 1, `1` for 1 ≤ β ≤ 2 and
//!   `1/(β−1)` for β > 2, under which the cost never increases (so Itakura–Saito takes square
//!   roots of the ratios).
//! * Everything else follows scikit-learn's `NMF(solver='mu')`, the parity target (see
//!   `tests/decompose_nmf.rs`): NNDSVD/NNDSVDa initialisation (Boutsidis & Gallopoulos,
//!   "SVD based initialization: a head start for nonnegative matrix factorization", Pattern
//!   Recognition 41, 2008), the guard `ε = 2⁻²³` (f32 machine epsilon) for `WH` before negative
//!   powers, zero denominators replaced by `ε`, values below the f64 epsilon set to zero for
//!   β < 1 (W) and β ≤ 1 (H), and the stopping rule: every 10 iterations, stop when the
//!   decrease of `√(2·D)` since the last check is below `tol` times its initial value.
//!
//! Semi-supervised factorisation keeps given templates fixed (e.g. a kick learnt from a
//! sample with [`learn_templates`]) while the other ones are learnt ([`NmfOptions::fixed_templates`]).
//! [`nmf_separate`] turns the components into audio through Wiener-like masks.
//!
//! Layout: both factors are [`Spectrogram`]s, frame-major like every matrix of the crate:
//! [`NmfResult::templates`] has `n_bins` bins and `K` "frames" (frame `k` is template `k`), and
//! [`NmfResult::activations`] has `K` bins and `n_frames` frames (frame `t` holds the `K` gains
//! of frame `t`). Sums over frames are made per block of [`FRAME_BLOCK`] frames and the blocks
//! added in order, so the result is the same bit for bit whatever the number of threads.
//!
//! ```
//! use technob::Audio;
//! use technob::decompose::{NmfOptions, NmfSeparationOptions, nmf_separate};
//!
//! # fn main() -> technob::Result<()> {
//! let sr = 22_050;
//! let y: Vec<f32> = (0..sr).map(|i| 0.3 * ((i as f32 * 0.05).sin() + (i as f32 * 0.6).sin())).collect();
//! let audio = Audio::from_synth(vec![y], sr as u32)?;
//! let nmf = NmfOptions { n_components: 2, ..NmfOptions::default() };
//! let parts = nmf_separate(&audio, &NmfSeparationOptions { nmf, ..Default::default() })?;
//! // Component 0 has the lowest template centroid; the components add up to the input.
//! assert_eq!(parts.components.len(), 2);
//! # Ok(())
//! # }
//! ```

use rayon::prelude::*;

use crate::spectral::{ComplexSpectrogram, Spectrogram, Stft, StftConfig};
use crate::{Audio, Error, Result, ensure_param};

/// scikit-learn's guard: `WH` is raised to at least this before a negative power, and a zero
/// denominator becomes this (`np.finfo(np.float32).eps`).
pub const EPSILON: f32 = f32::EPSILON;

/// Values of the factors below this are set to zero for β < 1 (W) and β ≤ 1 (H), as
/// scikit-learn does "for stability" (`np.finfo(np.float64).eps`).
const TINY: f32 = f64::EPSILON as f32;

/// Frames per block of the sums over time (fixed, so results do not depend on the threads).
pub const FRAME_BLOCK: usize = 256;

/// The divergence minimised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Beta {
    /// β = 2: half the squared Euclidean distance (scikit-learn's `frobenius`).
    Euclidean,
    /// β = 1: generalised Kullback–Leibler divergence (scale-dependent; a good default for
    /// magnitude spectrograms).
    KullbackLeibler,
    /// β = 0: Itakura–Saito divergence (scale-invariant; for power spectrograms).
    ItakuraSaito,
    /// Any other finite β.
    Other(f32),
}

impl Beta {
    /// The value of β.
    pub fn value(self) -> f32 {
        match self {
            Beta::Euclidean => 2.0,
            Beta::KullbackLeibler => 1.0,
            Beta::ItakuraSaito => 0.0,
            Beta::Other(b) => b,
        }
    }

    /// The exponent γ(β) of the multiplicative updates (Févotte & Idier 2011): the
    /// majorisation–minimisation exponent, under which the divergence never increases.
    pub fn mu_exponent(self) -> f32 {
        let b = self.value();
        if b < 1.0 {
            1.0 / (2.0 - b)
        } else if b > 2.0 {
            1.0 / (b - 1.0)
        } else {
            1.0
        }
    }
}

/// How the factors start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NmfInit {
    /// Non-negative double SVD (Boutsidis & Gallopoulos 2008): sparse, zeros stay zeros under
    /// multiplicative updates.
    Nndsvd,
    /// NNDSVD with its zeros replaced by the mean of `V` (scikit-learn's `nndsvda`; the default).
    Nndsvda,
    /// `|N(0, 1)| · √(mean(V)/K)` (scikit-learn's `random` scaling), from a fixed seed.
    Random {
        /// Seed of the generator (the same seed gives the same factors).
        seed: u64,
    },
}

/// Parameters of [`nmf`].
#[derive(Clone, Debug, PartialEq)]
pub struct NmfOptions {
    /// Number of components `K` in all, fixed templates included (1 ≤ K ≤ n_bins).
    pub n_components: usize,
    /// The divergence (default Kullback–Leibler).
    pub beta: Beta,
    /// Maximum number of iterations (≥ 1; default 200).
    pub max_iter: usize,
    /// Stopping tolerance on the relative decrease of the divergence, checked every 10
    /// iterations (default 1e-4; 0 runs all `max_iter` iterations).
    pub tol: f64,
    /// Initialisation (default NNDSVDa).
    pub init: NmfInit,
    /// Templates held fixed (semi-supervised): `n_bins` bins, one template per frame, at most
    /// `n_components` of them. They are the first components of the result; the remaining
    /// `n_components − K_fixed` templates are learnt.
    pub fixed_templates: Option<Spectrogram>,
}

impl Default for NmfOptions {
    fn default() -> Self {
        NmfOptions {
            n_components: 4,
            beta: Beta::KullbackLeibler,
            max_iter: 200,
            tol: 1e-4,
            init: NmfInit::Nndsvda,
            fixed_templates: None,
        }
    }
}

/// The factorisation `V ≈ W H`.
#[derive(Clone, Debug, PartialEq)]
pub struct NmfResult {
    /// `W`: `n_bins` bins × `K` frames; frame `k` is the spectrum of template `k`.
    pub templates: Spectrogram,
    /// `H`: `K` bins × `n_frames` frames; frame `t` holds the gain of each template.
    pub activations: Spectrogram,
    /// How many of the first templates were held fixed.
    pub n_fixed: usize,
    /// Iterations made.
    pub n_iter: usize,
    /// The β-divergence `D_β(V | WH)` at the end (see [`beta_divergence`]).
    pub divergence: f64,
}

impl NmfResult {
    /// Number of components `K`.
    pub fn n_components(&self) -> usize {
        self.templates.n_frames()
    }

    /// The model `W H` (`n_bins × n_frames`).
    pub fn reconstruction(&self) -> Spectrogram {
        let (nb, k) = (self.templates.n_bins(), self.n_components());
        let mut out = Spectrogram::zeros(nb, self.activations.n_frames());
        out.as_mut_slice()
            .par_chunks_mut(nb)
            .zip(self.activations.as_slice().par_chunks(k))
            .for_each(|(lam, h)| model_frame(self.templates.as_slice(), h, lam));
        out
    }

    /// The spectral centroid of each template in bins (`Σ f·w_f / Σ w_f`; +∞ for an all-zero
    /// template). Multiply by `sr / n_fft` for Hz.
    pub fn template_centroids(&self) -> Vec<f64> {
        self.templates
            .frames()
            .map(|w| {
                let (mut num, mut den) = (0.0f64, 0.0f64);
                for (f, &v) in w.iter().enumerate() {
                    num += f as f64 * f64::from(v);
                    den += f64::from(v);
                }
                if den > 0.0 { num / den } else { f64::INFINITY }
            })
            .collect()
    }

    /// The component indices ordered by template centroid, low to high (ties by index).
    pub fn centroid_order(&self) -> Vec<usize> {
        let centroids = self.template_centroids();
        let mut order: Vec<usize> = (0..centroids.len()).collect();
        order.sort_by(|&a, &b| centroids[a].total_cmp(&centroids[b]).then(a.cmp(&b)));
        order
    }

    /// The same factorisation with the components in `order` (a permutation of `0..K`;
    /// `n_fixed` becomes 0 unless the fixed templates keep their places).
    pub fn permuted(&self, order: &[usize]) -> Result<NmfResult> {
        let k = self.n_components();
        let mut seen = vec![false; k];
        for &i in order {
            ensure_param!(i < k && !seen[i], "{order:?} is not a permutation of 0..{k}");
            seen[i] = true;
        }
        ensure_param!(order.len() == k, "{order:?} is not a permutation of 0..{k}");
        let nb = self.templates.n_bins();
        let mut w = Vec::with_capacity(nb * k);
        for &i in order {
            w.extend_from_slice(self.templates.frame(i));
        }
        let mut h = Vec::with_capacity(self.activations.as_slice().len());
        for frame in self.activations.frames() {
            h.extend(order.iter().map(|&i| frame[i]));
        }
        let keeps_fixed = order.iter().take(self.n_fixed).enumerate().all(|(j, &i)| i == j);
        Ok(NmfResult {
            templates: Spectrogram::new(nb, k, w)?,
            activations: Spectrogram::new(k, self.activations.n_frames(), h)?,
            n_fixed: if keeps_fixed { self.n_fixed } else { 0 },
            n_iter: self.n_iter,
            divergence: self.divergence,
        })
    }
}

fn check_options(v: &Spectrogram, options: &NmfOptions) -> Result<usize> {
    let (nb, nf, k) = (v.n_bins(), v.n_frames(), options.n_components);
    ensure_param!(k >= 1, "NMF needs at least one component");
    ensure_param!(k <= nb, "{k} components are more than the {nb} bins of the spectrogram");
    ensure_param!(options.max_iter >= 1, "NMF needs at least one iteration");
    ensure_param!(options.tol >= 0.0 && options.tol.is_finite(), "tol must be ≥ 0, got {}", options.tol);
    ensure_param!(options.beta.value().is_finite(), "β must be finite, got {}", options.beta.value());
    if nf == 0 {
        return Err(Error::InvalidInput("cannot factorise a spectrogram without frames".into()));
    }
    check_non_negative(v.as_slice(), "the spectrogram")?;
    if matches!(options.init, NmfInit::Nndsvd | NmfInit::Nndsvda) {
        ensure_param!(
            k <= nf,
            "NNDSVD needs at most as many components as frames ({k} > {nf}); use a random init"
        );
    }
    let n_fixed = match &options.fixed_templates {
        None => 0,
        Some(t) => {
            ensure_param!(
                t.n_bins() == nb,
                "the fixed templates have {} bins, the spectrogram {nb} (same STFT size needed)",
                t.n_bins()
            );
            ensure_param!(
                t.n_frames() <= k,
                "{} fixed templates are more than the {k} components",
                t.n_frames()
            );
            check_non_negative(t.as_slice(), "the fixed templates")?;
            t.n_frames()
        }
    };
    Ok(n_fixed)
}

fn check_non_negative(x: &[f32], what: &str) -> Result<()> {
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidInput(format!("{what} has a non-finite value ({}) at {i}", x[i])));
    }
    if let Some(i) = x.iter().position(|&v| v < 0.0) {
        return Err(Error::InvalidInput(format!("{what} has a negative value ({}) at {i}", x[i])));
    }
    Ok(())
}

/// Factorise a non-negative spectrogram `V ≈ W H` (scikit-learn's `NMF(solver='mu')` with `V`
/// as `X`: its `W` is our templates and its `H` our activations).
///
/// For β ≤ 0 scikit-learn refuses a `V` with zeros; here the ε guard keeps the updates finite
/// and such cells are left out of the divergence (as scikit-learn's `_beta_divergence` does).
///
/// Errors: `K = 0`, `K > n_bins` (or `K > n_frames` with NNDSVD), no iteration, a negative
/// `tol`, a non-finite β; NaN, infinite or negative values in `V` or the templates; fixed
/// templates with another bin count or more of them than `K`.
pub fn nmf(v: &Spectrogram, options: &NmfOptions) -> Result<NmfResult> {
    let n_fixed = check_options(v, options)?;
    let problem = Problem { v: v.as_slice(), nb: v.n_bins(), nf: v.n_frames() };
    let k = options.n_components;
    let (mut wt, mut h) = problem.initialise(k, options.init, options.fixed_templates.as_ref())?;
    let beta = options.beta.value();
    let gamma = options.beta.mu_exponent();
    // sklearn's convergence measure, √(2·D) (only needed with a tolerance).
    let error_at_init =
        if options.tol > 0.0 { (2.0 * problem.divergence(&wt, &h, k, beta).max(0.0)).sqrt() } else { 0.0 };
    let mut previous_error = error_at_init;
    let mut n_iter = 0;
    let mut scratch = Vec::new();
    for it in 1..=options.max_iter {
        n_iter = it;
        problem.update_w(&mut wt, &h, k, n_fixed, beta, gamma, &mut scratch);
        problem.update_h(&wt, &mut h, k, beta, gamma);
        if options.tol > 0.0 && it % 10 == 0 {
            let error = (2.0 * problem.divergence(&wt, &h, k, beta).max(0.0)).sqrt();
            if error_at_init <= 0.0 || (previous_error - error) / error_at_init < options.tol {
                break;
            }
            previous_error = error;
        }
    }
    let divergence = problem.divergence(&wt, &h, k, beta);
    Ok(NmfResult {
        templates: Spectrogram::new(problem.nb, k, wt)?,
        activations: Spectrogram::new(k, problem.nf, h)?,
        n_fixed,
        n_iter,
        divergence,
    })
}

/// The factors [`nmf`] starts from (templates, activations) for these options, after the same
/// checks.
pub fn nmf_init(v: &Spectrogram, options: &NmfOptions) -> Result<(Spectrogram, Spectrogram)> {
    check_options(v, options)?;
    let problem = Problem { v: v.as_slice(), nb: v.n_bins(), nf: v.n_frames() };
    let k = options.n_components;
    let (wt, h) = problem.initialise(k, options.init, options.fixed_templates.as_ref())?;
    Ok((Spectrogram::new(problem.nb, k, wt)?, Spectrogram::new(k, problem.nf, h)?))
}

/// The β-divergence `D_β(V | W H)` as scikit-learn's `_beta_divergence` computes it: for β ≠ 2
/// only cells with `V > ε` count in the data terms, with `WH` raised to at least ε there (for
/// Itakura–Saito the constant term still counts every cell).
///
/// Errors: shapes that do not fit (`templates` must have `V`'s bins, `activations` one frame
/// per frame of `V` and one bin per template).
pub fn beta_divergence(
    v: &Spectrogram,
    templates: &Spectrogram,
    activations: &Spectrogram,
    beta: Beta,
) -> Result<f64> {
    let k = templates.n_frames();
    ensure_param!(
        templates.n_bins() == v.n_bins()
            && activations.n_bins() == k
            && activations.n_frames() == v.n_frames(),
        "factors of shapes {}x{} and {}x{} do not fit a {}x{} spectrogram",
        templates.n_bins(),
        k,
        activations.n_bins(),
        activations.n_frames(),
        v.n_bins(),
        v.n_frames()
    );
    ensure_param!(k >= 1 && beta.value().is_finite(), "need at least one template and a finite β");
    let problem = Problem { v: v.as_slice(), nb: v.n_bins(), nf: v.n_frames() };
    Ok(problem.divergence(templates.as_slice(), activations.as_slice(), k, beta.value()))
}

/// Parameters of [`nmf_separate`] and [`learn_templates`].
#[derive(Clone, Debug, PartialEq)]
pub struct NmfSeparationOptions {
    /// The factorisation (fixed templates need the STFT's `n_fft / 2 + 1` bins).
    pub nmf: NmfOptions,
    /// The STFT (default librosa's: 2048 / 512, Hann, centred).
    pub stft: StftConfig,
    /// Exponent `p > 0` of the masks `(W_k H_k)^p / Σ_j (W_j H_j)^p` (default 2, Wiener-like;
    /// 1 shares each cell in proportion to the modelled magnitudes).
    pub mask_power: f32,
}

impl Default for NmfSeparationOptions {
    fn default() -> Self {
        NmfSeparationOptions { nmf: NmfOptions::default(), stft: StftConfig::default(), mask_power: 2.0 }
    }
}

/// The components of a signal (see [`nmf_separate`]).
#[derive(Clone, Debug)]
pub struct NmfParts {
    /// One signal per component, ordered by template centroid (lowest first), each with the
    /// input's rate, channels and length. They add up to the input.
    pub components: Vec<Audio>,
    /// The factorisation, components in the same order. Its activations hold the channels
    /// one after the other in time: channel `c` is frames `c·n_frames .. (c+1)·n_frames`
    /// (see [`NmfParts::channel_activations`]).
    pub factorisation: NmfResult,
    /// For each component, its place in the factorisation before sorting: indices below
    /// `fixed_count` are the fixed templates, in the order they were given.
    pub source_index: Vec<usize>,
    /// How many templates were held fixed.
    pub fixed_count: usize,
    /// STFT frames per channel.
    pub n_frames: usize,
}

impl NmfParts {
    /// Whether component `i` (sorted order) comes from a fixed template.
    pub fn is_fixed(&self, i: usize) -> bool {
        self.source_index.get(i).is_some_and(|&s| s < self.fixed_count)
    }

    /// The activations of one channel (`K × n_frames`); `None` past the last channel.
    pub fn channel_activations(&self, channel: usize) -> Option<Spectrogram> {
        let k = self.factorisation.n_components();
        let data = self.factorisation.activations.as_slice();
        let span = k * self.n_frames;
        let part = data.get(channel * span..(channel + 1) * span)?;
        Spectrogram::new(k, self.n_frames, part.to_vec()).ok()
    }
}

/// The magnitude spectrograms of every channel, joined in time (channel 0's frames first).
fn joined_magnitudes(audio: &Audio, stft: &Stft) -> Result<(Spectrogram, usize)> {
    let nf = stft.n_frames(audio.n_frames());
    if nf == 0 {
        return Err(Error::InvalidInput(format!(
            "{} samples are too short for one STFT frame of {}",
            audio.n_frames(),
            stft.n_fft()
        )));
    }
    let nb = stft.n_bins();
    let mut data = Vec::with_capacity(nb * nf * audio.n_channels());
    for channel in audio.channels() {
        data.extend_from_slice(stft.magnitude(channel).as_slice());
    }
    Ok((Spectrogram::new(nb, nf * audio.n_channels(), data)?, nf))
}

/// Separate audio into `K` components by NMF of its magnitude spectrogram and soft masks
/// (Smaragdis & Brown, "Non-negative matrix factorization for polyphonic music transcription",
/// WASPAA 2003; masks after Févotte, Bertin & Durrieu, "Nonnegative matrix factorization with
/// the Itakura-Saito divergence", Neural Computation 21(3), 2009).
///
/// Stereo (or more): the channels' magnitude spectrograms are joined in time and factorised
/// together, so the templates (timbres) are shared and every channel has its own activations
/// (its own balance of the sources: a panned sound gets the right mask in each channel, and
/// nothing cancels as in a mid downmix). Each channel's complex STFT is multiplied by the masks
/// `M_k = (W_k H_k)^p / Σ_j (W_j H_j)^p` built from its own activations (cells where every
/// component is zero are shared equally), and inverted to the input's length: the components
/// keep the mixture's phase in every channel and add up to the input.
///
/// Components are sorted by template centroid, lowest first ([`NmfResult::centroid_order`]).
///
/// Errors: invalid options (see [`nmf`]; `mask_power` must be finite and > 0), audio shorter
/// than one STFT frame.
pub fn nmf_separate(audio: &Audio, options: &NmfSeparationOptions) -> Result<NmfParts> {
    let p = options.mask_power;
    ensure_param!(p > 0.0 && p.is_finite(), "the mask power must be finite and > 0, got {p}");
    let stft = Stft::new(options.stft.clone())?;
    let (v, nf) = joined_magnitudes(audio, &stft)?;
    let raw = nmf(&v, &options.nmf)?;
    drop(v);
    let source_index = raw.centroid_order();
    let fixed_count = raw.n_fixed;
    let result = raw.permuted(&source_index)?;
    let (nb, k, n) = (stft.n_bins(), result.n_components(), audio.n_frames());
    let wt = result.templates.as_slice();
    let mut components: Vec<Vec<Vec<f32>>> = vec![Vec::with_capacity(audio.n_channels()); k];
    let model = |c: f32| {
        if p == 2.0 {
            c * c
        } else if p == 1.0 {
            c
        } else {
            c.powf(p)
        }
    };
    for (c, channel) in audio.channels().iter().enumerate() {
        let spec = stft.forward(channel);
        let h = &result.activations.as_slice()[c * nf * k..(c + 1) * nf * k];
        // Σ_j (W_j H_j)^p for every cell of this channel.
        let mut denom = vec![0.0f32; nb * nf];
        denom.par_chunks_mut(nb).zip(h.par_chunks(k)).for_each(|(d, ht)| {
            for (w, &a) in wt.chunks_exact(nb).zip(ht) {
                for (o, &x) in d.iter_mut().zip(w) {
                    *o += model(x * a);
                }
            }
        });
        let mut part: ComplexSpectrogram = spec.clone();
        let share = 1.0 / k as f32;
        for (i, w) in wt.chunks_exact(nb).enumerate() {
            part.as_mut_slice()
                .par_chunks_mut(nb)
                .zip(spec.as_slice().par_chunks(nb))
                .zip(denom.par_chunks(nb).zip(h.par_chunks(k)))
                .for_each(|((o, x), (d, ht))| {
                    let a = ht[i];
                    for (((o, x), &d), &wf) in o.iter_mut().zip(x).zip(d).zip(w) {
                        let m = if d >= f32::MIN_POSITIVE && d.is_finite() {
                            (model(wf * a) / d).min(1.0)
                        } else {
                            share
                        };
                        *o = x * m;
                    }
                });
            components[i].push(stft.inverse(&part, Some(n))?);
        }
    }
    let sr = audio.sample_rate();
    Ok(NmfParts {
        components: components.into_iter().map(|chs| audio.with_channels(chs, sr)).collect(),
        factorisation: result,
        source_index,
        fixed_count,
        n_frames: nf,
    })
}

/// Learn `n_templates` spectral templates from an example sound (e.g. a kick sample, at the
/// sample rate of the mix it will be used on), to hold fixed in [`nmf_separate`]: the NMF of
/// its magnitude spectrogram (channels joined in time) with the STFT, divergence, iterations
/// and initialisation of `options` (its fixed templates are ignored). Templates are sorted by
/// centroid and scaled to unit sum.
///
/// Errors: as [`nmf`] with `K = n_templates`; an example shorter than one STFT frame.
pub fn learn_templates(
    example: &Audio,
    n_templates: usize,
    options: &NmfSeparationOptions,
) -> Result<Spectrogram> {
    let stft = Stft::new(options.stft.clone())?;
    let (v, _) = joined_magnitudes(example, &stft)?;
    let nmf_options = NmfOptions { n_components: n_templates, fixed_templates: None, ..options.nmf.clone() };
    let result = nmf(&v, &nmf_options)?;
    let sorted = result.permuted(&result.centroid_order())?;
    let mut templates = sorted.templates;
    for w in templates.frames_mut() {
        let sum: f64 = w.iter().map(|&x| f64::from(x)).sum();
        if sum > 0.0 {
            w.iter_mut().for_each(|x| *x = (f64::from(*x) / sum) as f32);
        }
    }
    Ok(templates)
}

/// Bins per vector in the kernels below (two SSE or one AVX register).
const LANES: usize = 8;

/// Bins per block of the sums over frames (the templates and partial sums of a block stay in
/// the L1 cache).
const BIN_BLOCK: usize = 256;

/// Activations updated per group of dot products.
const MAX_DOTS: usize = 16;

/// `lam[i] = Σ_k h[k] · wt[k·nb + f0 + i]`: the model `W h` over the bins `f0 .. f0 + lam.len()`,
/// eight bins at a time summed in registers.
fn model_bins(wt: &[f32], nb: usize, h: &[f32], f0: usize, lam: &mut [f32]) {
    let n = lam.len();
    let full = n - n % LANES;
    for c in (0..full).step_by(LANES) {
        let mut acc = [0.0f32; LANES];
        for (k, &a) in h.iter().enumerate() {
            let w = &wt[k * nb + f0 + c..][..LANES];
            for i in 0..LANES {
                acc[i] += a * w[i];
            }
        }
        lam[c..c + LANES].copy_from_slice(&acc);
    }
    for (i, o) in lam.iter_mut().enumerate().skip(full) {
        let mut acc = 0.0f32;
        for (k, &a) in h.iter().enumerate() {
            acc += a * wt[k * nb + f0 + i];
        }
        *o = acc;
    }
}

/// `lam = Σ_k h[k] · W_k` for one whole frame (`wt` holds the templates one after another).
fn model_frame(wt: &[f32], h: &[f32], lam: &mut [f32]) {
    model_bins(wt, lam.len(), h, 0, lam);
}

/// The sum of eight lanes and a tail, always in the same order.
fn reduce_lanes(acc: &[f32; LANES], tail: f32) -> f32 {
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// `Σ a_i b_i` with eight partial sums (vectorised; always the same order).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    let mut tail = 0.0f32;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    reduce_lanes(&acc, tail)
}

/// `out[r] = dot(row r of wt, x)` for every row (rows of `x.len()` values), four rows at a
/// time sharing the loads of `x`; each value equals [`dot`]'s bit for bit.
fn dots(wt: &[f32], x: &[f32], out: &mut [f32]) {
    let nb = x.len();
    let full = nb - nb % LANES;
    let mut r = 0;
    while r + 4 <= out.len() {
        let w = [
            &wt[r * nb..][..nb],
            &wt[(r + 1) * nb..][..nb],
            &wt[(r + 2) * nb..][..nb],
            &wt[(r + 3) * nb..][..nb],
        ];
        let mut acc = [[0.0f32; LANES]; 4];
        for c in (0..full).step_by(LANES) {
            let xv = &x[c..c + LANES];
            for (a, w) in acc.iter_mut().zip(&w) {
                let wv = &w[c..c + LANES];
                for i in 0..LANES {
                    a[i] += wv[i] * xv[i];
                }
            }
        }
        for (j, (a, w)) in acc.iter().zip(&w).enumerate() {
            let mut tail = 0.0f32;
            for (p, q) in w[full..].iter().zip(&x[full..]) {
                tail += p * q;
            }
            out[r + j] = reduce_lanes(a, tail);
        }
        r += 4;
    }
    for (j, o) in out.iter_mut().enumerate().skip(r) {
        *o = dot(&wt[j * nb..][..nb], x);
    }
}

/// `out += c0 · x0 + c1 · x1` (two frames per pass over the partial sums).
fn axpy2(out: &mut [f32], c0: f32, x0: &[f32], c1: f32, x1: &[f32]) {
    for ((o, &p), &q) in out.iter_mut().zip(x0).zip(x1) {
        *o += c0 * p + c1 * q;
    }
}

/// `out[r·nb + f] += Σ_t c(t, r) · x[t·nb + f]` over the frames `t` of `x` (a block of frames
/// of `nb` values) and the rows `r` in `rows`: by blocks of bins, two frames at a time.
fn accumulate_frames<C>(x: &[f32], nb: usize, rows: std::ops::Range<usize>, c: C, out: &mut [f32])
where
    C: Fn(usize, usize) -> f32,
{
    let n_frames = x.len() / nb;
    for fb in (0..nb).step_by(BIN_BLOCK) {
        let fe = (fb + BIN_BLOCK).min(nb);
        for t in (0..n_frames).step_by(2) {
            let x0 = &x[t * nb + fb..t * nb + fe];
            if t + 1 < n_frames {
                let x1 = &x[(t + 1) * nb + fb..(t + 1) * nb + fe];
                for r in rows.clone() {
                    axpy2(&mut out[r * nb + fb..r * nb + fe], c(t, r), x0, c(t + 1, r), x1);
                }
            } else {
                for r in rows.clone() {
                    let c0 = c(t, r);
                    for (o, &p) in out[r * nb + fb..r * nb + fe].iter_mut().zip(x0) {
                        *o += c0 * p;
                    }
                }
            }
        }
    }
}

/// The data of one factorisation: `V` frame-major.
struct Problem<'a> {
    v: &'a [f32],
    nb: usize,
    nf: usize,
}

/// The per-cell terms of the updates for β ∉ {2}: `a = V ⊙ (WH)^(β−2)` (numerator) and
/// `b = (WH)^(β−1)` (denominator, unused for KL), with scikit-learn's ε guards.
fn ratio_terms(beta: f32, v: &[f32], lam: &[f32], a: &mut [f32], b: &mut [f32]) {
    if beta == 1.0 {
        for ((a, &x), &l) in a.iter_mut().zip(v).zip(lam) {
            *a = x / l.max(EPSILON);
        }
    } else if beta == 0.0 {
        for (((a, b), &x), &l) in a.iter_mut().zip(b.iter_mut()).zip(v).zip(lam) {
            let r = 1.0 / l.max(EPSILON);
            *a = r * r * x;
            *b = r;
        }
    } else {
        let safe_num = beta < 2.0;
        let safe_den = beta < 1.0;
        for (((a, b), &x), &l) in a.iter_mut().zip(b.iter_mut()).zip(v).zip(lam) {
            let ln = if safe_num { l.max(EPSILON) } else { l };
            let ld = if safe_den { l.max(EPSILON) } else { l };
            *a = ln.powf(beta - 2.0) * x;
            *b = ld.powf(beta - 1.0);
        }
    }
}

/// `factor ⊙ (num / den)^γ`, with a zero denominator replaced by ε.
fn mu_step(factor: f32, num: f32, den: f32, gamma: f32) -> f32 {
    let den = if den == 0.0 { EPSILON } else { den };
    let delta = num / den;
    factor * if gamma == 1.0 { delta } else { delta.powf(gamma) }
}

impl Problem<'_> {
    /// Sums over blocks of frames of `f(frames of V, first frame index, p, q)`, which adds to
    /// two `rows × n_bins` partial matrices (`q` is empty unless `need_q`); the partials are
    /// added block after block in f64. The partials live in `scratch`, reused from call to
    /// call (fresh memory would cost page faults at every iteration).
    fn sum_over_frames<F>(
        &self,
        rows: usize,
        need_q: bool,
        scratch: &mut Vec<f32>,
        f: F,
    ) -> (Vec<f64>, Vec<f64>)
    where
        F: Fn(&[f32], usize, &mut [f32], &mut [f32]) + Sync,
    {
        let len = rows * self.nb;
        let width = if need_q { 2 * len } else { len };
        let n_blocks = self.nf.div_ceil(FRAME_BLOCK);
        scratch.resize(n_blocks * width, 0.0);
        scratch.par_chunks_mut(width).zip(self.v.par_chunks(FRAME_BLOCK * self.nb)).enumerate().for_each(
            |(block, (partial, frames))| {
                partial.fill(0.0);
                let (p, q) = partial.split_at_mut(len);
                f(frames, block * FRAME_BLOCK, p, q);
            },
        );
        let (mut p, mut q) = (vec![0.0f64; len], vec![0.0f64; if need_q { len } else { 0 }]);
        for partial in scratch.chunks_exact(width) {
            let (pp, qq) = partial.split_at(len);
            for (o, &x) in p.iter_mut().zip(pp) {
                *o += f64::from(x);
            }
            for (o, &x) in q.iter_mut().zip(qq) {
                *o += f64::from(x);
            }
        }
        (p, q)
    }

    /// One multiplicative update of the learnt templates (rows `n_fixed..` of `wt`).
    #[allow(clippy::too_many_arguments)]
    fn update_w(
        &self,
        wt: &mut [f32],
        h: &[f32],
        k: usize,
        n_fixed: usize,
        beta: f32,
        gamma: f32,
        scratch: &mut Vec<f32>,
    ) {
        let nb = self.nb;
        if n_fixed == k {
            return;
        }
        let (num, den): (Vec<f64>, Vec<f64>) = if beta == 2.0 {
            // Numerator V Hᵀ; denominator W (H Hᵀ).
            let (num, _) = self.sum_over_frames(k, false, scratch, |frames, t0, p, _| {
                accumulate_frames(frames, nb, n_fixed..k, |t, r| h[(t0 + t) * k + r], p);
            });
            let mut hht = vec![0.0f64; k * k];
            for ht in h.chunks_exact(k) {
                for i in 0..k {
                    for j in 0..k {
                        hht[i * k + j] += f64::from(ht[i]) * f64::from(ht[j]);
                    }
                }
            }
            let mut den = vec![0.0f64; k * nb];
            for i in 0..k {
                for j in 0..k {
                    let c = hht[i * k + j];
                    for (o, &w) in den[i * nb..(i + 1) * nb].iter_mut().zip(&wt[j * nb..(j + 1) * nb]) {
                        *o += c * f64::from(w);
                    }
                }
            }
            (num, den)
        } else {
            let wt_now: &[f32] = wt;
            let (num, den) = self.sum_over_frames(k, beta != 1.0, scratch, |frames, t0, p, q| {
                // Per block of bins, two frames at a time: their model, the ratio terms, and
                // the partial sums of the learnt rows (all in the L1 cache).
                let mut lam = [0.0f32; BIN_BLOCK];
                let mut ab = [[0.0f32; BIN_BLOCK]; 4];
                let n_frames = frames.len() / nb;
                for fb in (0..nb).step_by(BIN_BLOCK) {
                    let (fe, bw) = ((fb + BIN_BLOCK).min(nb), (fb + BIN_BLOCK).min(nb) - fb);
                    for t in (0..n_frames).step_by(2) {
                        let n_pair = if t + 1 < n_frames { 2 } else { 1 };
                        let [a0, a1, b0, b1] = &mut ab;
                        for (j, (a, b)) in
                            [(&mut *a0, &mut *b0), (&mut *a1, &mut *b1)].into_iter().enumerate().take(n_pair)
                        {
                            let ht = &h[(t0 + t + j) * k..(t0 + t + j + 1) * k];
                            model_bins(wt_now, nb, ht, fb, &mut lam[..bw]);
                            let x = &frames[(t + j) * nb + fb..(t + j) * nb + fe];
                            ratio_terms(beta, x, &lam[..bw], &mut a[..bw], &mut b[..bw]);
                        }
                        if n_pair == 1 {
                            a1[..bw].fill(0.0);
                            b1[..bw].fill(0.0);
                        }
                        let h0 = &h[(t0 + t) * k..(t0 + t + 1) * k];
                        let h1 = if n_pair == 2 { &h[(t0 + t + 1) * k..(t0 + t + 2) * k] } else { h0 };
                        for r in n_fixed..k {
                            let span = r * nb + fb..r * nb + fe;
                            axpy2(&mut p[span.clone()], h0[r], &a0[..bw], h1[r], &a1[..bw]);
                            if beta != 1.0 {
                                axpy2(&mut q[span], h0[r], &b0[..bw], h1[r], &b1[..bw]);
                            }
                        }
                    }
                }
            });
            if beta == 1.0 {
                // Denominator: the row sums of H.
                let mut sums = vec![0.0f64; k];
                for ht in h.chunks_exact(k) {
                    for (s, &x) in sums.iter_mut().zip(ht) {
                        *s += f64::from(x);
                    }
                }
                let den = sums.iter().flat_map(|&s| std::iter::repeat_n(s, nb)).collect();
                (num, den)
            } else {
                (num, den)
            }
        };
        let start = n_fixed * nb;
        wt[start..].par_iter_mut().zip(num[start..].par_iter().zip(&den[start..])).for_each(
            |(w, (&n, &d))| {
                *w = mu_step(*w, n as f32, d as f32, gamma);
                if beta < 1.0 && *w < TINY {
                    *w = 0.0;
                }
            },
        );
    }

    /// One multiplicative update of every activation (each frame on its own).
    fn update_h(&self, wt: &[f32], h: &mut [f32], k: usize, beta: f32, gamma: f32) {
        let nb = self.nb;
        if beta == 2.0 {
            // Numerator Wᵀ V; denominator (Wᵀ W) H.
            let mut wtw = vec![0.0f32; k * k];
            for i in 0..k {
                for j in 0..k {
                    wtw[i * k + j] = dot(&wt[i * nb..(i + 1) * nb], &wt[j * nb..(j + 1) * nb]);
                }
            }
            h.par_chunks_mut(k).zip(self.v.par_chunks(nb)).for_each_init(
                || (vec![0.0f32; k], vec![0.0f32; k]),
                |(old, num), (ht, x)| {
                    old.copy_from_slice(ht);
                    dots(wt, x, num);
                    for (i, hv) in ht.iter_mut().enumerate() {
                        let den: f32 =
                            wtw[i * k..(i + 1) * k].iter().zip(old.iter()).map(|(a, b)| a * b).sum();
                        *hv = mu_step(*hv, num[i], den, gamma);
                    }
                },
            );
            return;
        }
        // KL: the denominator is the column sums of W (zero sums become 1).
        let col_sums: Vec<f32> = wt
            .chunks_exact(nb)
            .map(|w| {
                let s = w.iter().map(|&x| f64::from(x)).sum::<f64>() as f32;
                if s == 0.0 { 1.0 } else { s }
            })
            .collect();
        h.par_chunks_mut(k).zip(self.v.par_chunks(nb)).for_each_init(
            || (vec![0.0f32; nb], vec![0.0f32; nb], vec![0.0f32; nb]),
            |(lam, a, b), (ht, x)| {
                model_frame(wt, ht, lam);
                ratio_terms(beta, x, lam, a, b);
                let mut num = [0.0f32; MAX_DOTS];
                let mut den = [0.0f32; MAX_DOTS];
                for k0 in (0..k).step_by(MAX_DOTS) {
                    let k1 = (k0 + MAX_DOTS).min(k);
                    dots(&wt[k0 * nb..k1 * nb], a, &mut num[..k1 - k0]);
                    if beta != 1.0 {
                        dots(&wt[k0 * nb..k1 * nb], b, &mut den[..k1 - k0]);
                    }
                    for (i, hv) in ht[k0..k1].iter_mut().enumerate() {
                        let d = if beta == 1.0 { col_sums[k0 + i] } else { den[i] };
                        *hv = mu_step(*hv, num[i], d, gamma);
                        if beta <= 1.0 && *hv < TINY {
                            *hv = 0.0;
                        }
                    }
                }
            },
        );
    }

    /// `D_β(V | WH)` (scikit-learn's `_beta_divergence`), summed in f64 per block of frames.
    fn divergence(&self, wt: &[f32], h: &[f32], k: usize, beta: f32) -> f64 {
        let nb = self.nb;
        let beta64 = f64::from(beta);
        let eps = f64::from(EPSILON);
        let eps32 = EPSILON;
        // Per block: [data term, Σ V over counted cells, Σ (WH)^β over all cells, Σ V^β].
        let blocks: Vec<[f64; 4]> = self
            .v
            .par_chunks(FRAME_BLOCK * nb)
            .enumerate()
            .map(|(block, frames)| {
                let mut lam = vec![0.0f32; nb];
                let mut s = [0.0f64; 4];
                for (j, x) in frames.chunks_exact(nb).enumerate() {
                    let t = block * FRAME_BLOCK + j;
                    model_frame(wt, &h[t * k..(t + 1) * k], &mut lam);
                    if beta == 2.0 {
                        for (&xv, &l) in x.iter().zip(&lam) {
                            let d = f64::from(xv) - f64::from(l);
                            s[0] += d * d;
                        }
                        continue;
                    }
                    for (&xv, &l) in x.iter().zip(&lam) {
                        if beta != 1.0 && beta != 0.0 {
                            s[2] += f64::from(l).powf(beta64);
                        }
                        if xv <= eps32 {
                            continue;
                        }
                        let (xv, l) = (f64::from(xv), f64::from(l).max(eps));
                        if beta == 1.0 {
                            s[0] += xv * (xv / l).ln();
                            s[1] += xv;
                        } else if beta == 0.0 {
                            let r = xv / l;
                            s[0] += r - r.ln();
                        } else {
                            s[0] += xv * l.powf(beta64 - 1.0);
                            s[3] += xv.powf(beta64);
                        }
                    }
                }
                s
            })
            .collect();
        let mut s = [0.0f64; 4];
        for b in &blocks {
            for i in 0..4 {
                s[i] += b[i];
            }
        }
        if beta == 2.0 {
            s[0] / 2.0
        } else if beta == 1.0 {
            // Σ WH over all cells = Σ_k (Σ_f W_fk)(Σ_t H_kt).
            let mut sum_wh = 0.0f64;
            for (i, w) in wt.chunks_exact(nb).enumerate() {
                let sw: f64 = w.iter().map(|&x| f64::from(x)).sum();
                let sh: f64 = h.chunks_exact(k).map(|ht| f64::from(ht[i])).sum();
                sum_wh += sw * sh;
            }
            s[0] + sum_wh - s[1]
        } else if beta == 0.0 {
            s[0] - (self.nb * self.nf) as f64
        } else {
            (s[3] - beta64 * s[0] + (beta64 - 1.0) * s[2]) / (beta64 * (beta64 - 1.0))
        }
    }

    /// The starting factors (templates `K × n_bins`, activations `n_frames × K`).
    fn initialise(
        &self,
        k: usize,
        init: NmfInit,
        fixed: Option<&Spectrogram>,
    ) -> Result<(Vec<f32>, Vec<f32>)> {
        let (nb, nf) = (self.nb, self.nf);
        let n_fixed = fixed.map_or(0, |t| t.n_frames());
        let n_learn = k - n_fixed;
        let mean = self.v.iter().map(|&x| f64::from(x)).sum::<f64>() / self.v.len() as f64;
        let mut wt = vec![0.0f32; k * nb];
        let mut h = vec![0.0f32; nf * k];
        if let Some(t) = fixed {
            wt[..n_fixed * nb].copy_from_slice(t.as_slice());
        }
        match init {
            NmfInit::Random { seed } => {
                let avg = (mean / k as f64).sqrt();
                let mut rng = Normal::new(seed);
                for x in h.iter_mut() {
                    *x = (avg * rng.next().abs()) as f32;
                }
                for x in wt[n_fixed * nb..].iter_mut() {
                    *x = (avg * rng.next().abs()) as f32;
                }
            }
            NmfInit::Nndsvd | NmfInit::Nndsvda => {
                if n_learn > 0 {
                    let (w_learn, h_learn) = self.nndsvd(n_learn, init == NmfInit::Nndsvda, mean);
                    wt[n_fixed * nb..].copy_from_slice(&w_learn);
                    for (ht, hl) in h.chunks_exact_mut(k).zip(h_learn.chunks_exact(n_learn)) {
                        ht[n_fixed..].copy_from_slice(hl);
                    }
                }
                // Fixed templates start with an equal share of the mean level.
                for i in 0..n_fixed {
                    let w_mean =
                        wt[i * nb..(i + 1) * nb].iter().map(|&x| f64::from(x)).sum::<f64>() / nb as f64;
                    let c = if w_mean > 0.0 { (mean / (k as f64 * w_mean)) as f32 } else { 0.0 };
                    for ht in h.chunks_exact_mut(k) {
                        ht[i] = c;
                    }
                }
            }
        }
        Ok((wt, h))
    }

    /// NNDSVD (Boutsidis & Gallopoulos 2008) as scikit-learn's `_initialize_nmf`: templates
    /// `K × n_bins`, activations `n_frames × K`; with `fill`, zeros become `mean` (NNDSVDa).
    fn nndsvd(&self, k: usize, fill: bool, mean: f64) -> (Vec<f32>, Vec<f32>) {
        let (nb, nf) = (self.nb, self.nf);
        let svd = self.truncated_svd(k);
        let mut wt = vec![0.0f64; k * nb];
        let mut ht = vec![0.0f64; k * nf]; // row j: activation j over time
        let norm = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>().sqrt();
        for j in 0..k {
            let (u, vt, s) = (&svd.u[j * nb..(j + 1) * nb], &svd.vt[j * nf..(j + 1) * nf], svd.s[j]);
            let (wrow, hrow) = (&mut wt[j * nb..(j + 1) * nb], &mut ht[j * nf..(j + 1) * nf]);
            if j == 0 {
                let r = s.sqrt();
                wrow.iter_mut().zip(u).for_each(|(o, x)| *o = r * x.abs());
                hrow.iter_mut().zip(vt).for_each(|(o, y)| *o = r * y.abs());
                continue;
            }
            let pos = |x: &[f64]| x.iter().map(|v| v.max(0.0)).collect::<Vec<f64>>();
            let neg = |x: &[f64]| x.iter().map(|v| (-v).max(0.0)).collect::<Vec<f64>>();
            let (xp, yp, xn, yn) = (pos(u), pos(vt), neg(u), neg(vt));
            let (xpn, ypn, xnn, ynn) = (norm(&xp), norm(&yp), norm(&xn), norm(&yn));
            let (mp, mn) = (xpn * ypn, xnn * ynn);
            let (x, y, xnorm, ynorm, sigma) =
                if mp > mn { (xp, yp, xpn, ypn, mp) } else { (xn, yn, xnn, ynn, mn) };
            if xnorm <= 0.0 || ynorm <= 0.0 {
                continue;
            }
            let lbd = (s * sigma).sqrt();
            wrow.iter_mut().zip(&x).for_each(|(o, v)| *o = lbd * v / xnorm);
            hrow.iter_mut().zip(&y).for_each(|(o, v)| *o = lbd * v / ynorm);
        }
        let finish = |x: f64| {
            let x = if x < 1e-6 { 0.0 } else { x };
            (if fill && x == 0.0 { mean } else { x }) as f32
        };
        let w: Vec<f32> = wt.into_iter().map(finish).collect();
        let mut h = vec![0.0f32; nf * k];
        for j in 0..k {
            for t in 0..nf {
                h[t * k + j] = finish(ht[j * nf + t]);
            }
        }
        (w, h)
    }

    /// The `k` leading singular triplets of `V` (`n_bins × n_frames`) by a randomised range
    /// finder with power iterations (Halko, Martinsson & Tropp 2011, as scikit-learn's
    /// `randomized_svd`: `k + 10` vectors, 7 power iterations when `k < 0.1·min(shape)`, else
    /// 4), started from a fixed-seed Gaussian matrix, re-orthonormalised at every step.
    fn truncated_svd(&self, k: usize) -> Svd {
        let (nb, nf) = (self.nb, self.nf);
        let l = (k + 10).min(nb.min(nf));
        let n_power = if (k as f64) < 0.1 * nb.min(nf) as f64 { 7 } else { 4 };
        let mut rng = Normal::new(0x5eed_5eed);
        // Z: l × n_frames, rows are vectors in the frame space.
        let mut z: Vec<f64> = (0..l * nf).map(|_| rng.next()).collect();
        let mut q = self.mul_frames(&z, l); // l × n_bins
        orthonormalise(&mut q, l, nb);
        for _ in 0..n_power {
            z = self.dot_frames(&q, l);
            orthonormalise(&mut z, l, nf);
            q = self.mul_frames(&z, l);
            orthonormalise(&mut q, l, nb);
        }
        // B = Qᵀ V (l × n_frames), its SVD through the eigenvectors of B Bᵀ.
        let b = self.dot_frames(&q, l);
        let mut g = vec![0.0f64; l * l];
        for i in 0..l {
            for j in 0..=i {
                let s: f64 =
                    b[i * nf..(i + 1) * nf].iter().zip(&b[j * nf..(j + 1) * nf]).map(|(x, y)| x * y).sum();
                g[i * l + j] = s;
                g[j * l + i] = s;
            }
        }
        let (values, vectors) = symmetric_eigen(&mut g, l);
        let mut u = vec![0.0f64; k * nb];
        let mut vt = vec![0.0f64; k * nf];
        let mut s = vec![0.0f64; k];
        for j in 0..k {
            s[j] = values[j].max(0.0).sqrt();
            for i in 0..l {
                let e = vectors[i * l + j];
                for (o, &x) in u[j * nb..(j + 1) * nb].iter_mut().zip(&q[i * nb..(i + 1) * nb]) {
                    *o += e * x;
                }
                if s[j] > 0.0 {
                    for (o, &x) in vt[j * nf..(j + 1) * nf].iter_mut().zip(&b[i * nf..(i + 1) * nf]) {
                        *o += e * x / s[j];
                    }
                }
            }
        }
        Svd { u, s, vt }
    }

    /// `Y = V Zᵀ` for `Z` (`rows × n_frames`): `rows × n_bins`, summed per block of frames.
    fn mul_frames(&self, z: &[f64], rows: usize) -> Vec<f64> {
        let (nb, nf) = (self.nb, self.nf);
        let (y, _) = self.sum_over_frames(rows, false, &mut Vec::new(), |frames, t0, p, _| {
            accumulate_frames(frames, nb, 0..rows, |t, r| z[r * nf + t0 + t] as f32, p);
        });
        y
    }

    /// `Z = Qᵀ V` for `Q` (`rows × n_bins`): `rows × n_frames`.
    fn dot_frames(&self, q: &[f64], rows: usize) -> Vec<f64> {
        let (nb, nf) = (self.nb, self.nf);
        let q32: Vec<f32> = q.iter().map(|&x| x as f32).collect();
        let per_frame: Vec<f64> = self
            .v
            .par_chunks(nb)
            .flat_map_iter(|x| {
                let mut out = vec![0.0f32; rows];
                dots(&q32, x, &mut out);
                out.into_iter().map(f64::from)
            })
            .collect();
        let mut z = vec![0.0f64; rows * nf];
        for (t, zt) in per_frame.chunks_exact(rows).enumerate() {
            for (r, &v) in zt.iter().enumerate() {
                z[r * nf + t] = v;
            }
        }
        z
    }
}

struct Svd {
    /// Left singular vectors, one per row (`k × n_bins`).
    u: Vec<f64>,
    s: Vec<f64>,
    /// Right singular vectors, one per row (`k × n_frames`).
    vt: Vec<f64>,
}

/// Modified Gram–Schmidt, twice, on the `rows` vectors of length `n` (a vector that vanishes
/// stays zero).
fn orthonormalise(x: &mut [f64], rows: usize, n: usize) {
    for _pass in 0..2 {
        for i in 0..rows {
            let (done, rest) = x.split_at_mut(i * n);
            let xi = &mut rest[..n];
            for j in 0..i {
                let xj = &done[j * n..(j + 1) * n];
                let c: f64 = xi.iter().zip(xj).map(|(a, b)| a * b).sum();
                xi.iter_mut().zip(xj).for_each(|(a, b)| *a -= c * b);
            }
            let norm = xi.iter().map(|a| a * a).sum::<f64>().sqrt();
            if norm > 1e-300 {
                xi.iter_mut().for_each(|a| *a /= norm);
            } else {
                xi.fill(0.0);
            }
        }
    }
}

/// Eigenvalues (descending) and eigenvectors (columns of the `n × n` result) of a symmetric
/// matrix by cyclic Jacobi rotations.
fn symmetric_eigen(a: &mut [f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale || scale == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..n {
                    let (arp, arq) = (a[r * n + p], a[r * n + q]);
                    a[r * n + p] = c * arp - s * arq;
                    a[r * n + q] = s * arp + c * arq;
                }
                for r in 0..n {
                    let (apr, aqr) = (a[p * n + r], a[q * n + r]);
                    a[p * n + r] = c * apr - s * aqr;
                    a[q * n + r] = s * apr + c * aqr;
                }
                for r in 0..n {
                    let (vrp, vrq) = (v[r * n + p], v[r * n + q]);
                    v[r * n + p] = c * vrp - s * vrq;
                    v[r * n + q] = s * vrp + c * vrq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| a[i * n + i]).collect();
    let mut vectors = vec![0.0f64; n * n];
    for (c, &i) in order.iter().enumerate() {
        for r in 0..n {
            vectors[r * n + c] = v[r * n + i];
        }
    }
    (values, vectors)
}

/// Standard normal numbers from SplitMix64 and Box–Muller (deterministic for a seed).
struct Normal {
    state: u64,
    spare: Option<f64>,
}

impl Normal {
    fn new(seed: u64) -> Normal {
        Normal { state: seed, spare: None }
    }

    fn uniform(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        // (0, 1]: never zero, so the logarithm below is finite.
        ((z >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    fn next(&mut self) -> f64 {
        if let Some(s) = self.spare.take() {
            return s;
        }
        let (u1, u2) = (self.uniform(), self.uniform());
        let r = (-2.0 * u1.ln()).sqrt();
        let a = std::f64::consts::TAU * u2;
        self.spare = Some(r * a.sin());
        r * a.cos()
    }
}
