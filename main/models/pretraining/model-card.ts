// The demo model's README.md (a Hugging Face model card): what it is, the data and its licence with
// attribution, size, tokenizer, recipe, and the measured held-out perplexity and loss curve. Every
// number comes from the build's facts; nothing here is typed in by hand.

import { NUSAX_LANGUAGE_CODES } from '../../data/read-nusax';
import type { HeldOutScore } from './held-out-eval';
import type { PretrainLogEntry, PretrainRecipe } from './pretrain';

export interface DemoModelFacts {
  name: string;
  seed: number;
  config: Record<string, unknown>;
  parameters: number;
  safetensorsBytes: number;
  tokenizer: { vocabSize: number; learnedMerges: number; completionMerges: number; labelTokens: { word: string; id: number }[] };
  data: {
    languages: string[];
    files: string[];
    trainTexts: number;
    /** UTF-8 bytes of the training texts. */
    trainBytes: number;
    heldOutTexts: number;
    heldOutSentenceIds: number;
    /** Share of sentence ids held out. */
    heldOutFraction: number;
    trainRows: number;
    /** Next-token predictions in one epoch of the training rows. */
    trainTokens: number;
    heldOutTokens: number;
    heldOutBytes: number;
  };
  recipe: PretrainRecipe;
  steps: number;
  totalSteps: number;
  initialHeldOut: HeldOutScore;
  finalHeldOut: HeldOutScore;
  curve: PretrainLogEntry[];
}

const HF_LANGUAGE: Record<string, string> = { eng: 'en', ind: 'id', jav: 'jv', sun: 'su' };

export function demoModelCard(f: DemoModelFacts): string {
  const c = f.config;
  const r = f.recipe;
  const codes = f.data.languages.map((l) => NUSAX_LANGUAGE_CODES[l] ?? l);
  const bitsPerByte = f.finalHeldOut.totalNats / Math.LN2 / f.data.heldOutBytes;
  const cut = f.steps < f.totalSteps ? `\n> **Cut short:** this build stopped after ${f.steps} of ${f.totalSteps} steps (a smoke run), so its numbers are not the recipe's.\n` : '';
  const evaluated = f.curve.filter((e) => e.heldOutLoss !== null);
  const headDim = Number(c['hidden_size']) / Number(c['num_attention_heads']);
  return `---
license: cc-by-sa-4.0
language:
${codes.map((code) => `- ${HF_LANGUAGE[code] ?? code}`).join('\n')}
library_name: transformers
pipeline_tag: text-generation
tags:
- qwen2
- lontar
- demo
datasets:
- indonlp/NusaX-senti
---

# ${f.name}

A very small Qwen2-architecture causal language model with its own byte-level BPE tokenizer, made
by Lontar so that its circuit-targeted fine-tuning workflow (CT-SFT) runs out of the box, offline,
with no downloaded weights. It is a demonstration model, trained on ${mb(f.data.trainBytes)} of text, and is not
useful as a general language model.
${cut}
## Model

| | |
|---|---|
| architecture | \`Qwen2ForCausalLM\` (\`model_type: qwen2\`) |
| layers | ${c['num_hidden_layers']} |
| hidden size | ${c['hidden_size']} |
| attention | ${c['num_attention_heads']} query heads of ${headDim} dims, ${c['num_key_value_heads']} key/value heads (grouped-query), RoPE θ = ${c['rope_theta']}, biases on q/k/v |
| feed-forward | SwiGLU, intermediate size ${c['intermediate_size']} |
| norm | RMSNorm, ε = ${c['rms_norm_eps']} |
| embeddings | tied input/output, vocabulary ${c['vocab_size']} |
| positions | pretrained on rows of ${r.sequenceLength} tokens; \`max_position_embeddings\` ${c['max_position_embeddings']} |
| parameters | ${f.parameters.toLocaleString('en-US')} |
| weights | \`model.safetensors\`, float32, ${f.safetensorsBytes.toLocaleString('en-US')} bytes |

## Tokenizer

Byte-level BPE in Qwen2's form (NFC, Qwen2's split regex, GPT-2 byte alphabet; \`tokenizer.json\`),
${f.tokenizer.vocabSize} tokens: 256 byte symbols, ${f.tokenizer.learnedMerges} merges learned from the training texts,
${f.tokenizer.completionMerges} merges that complete the label words, and \`<|endoftext|>\` (end of text and padding).
Every text round-trips exactly. The NusaX label words are single tokens:
${f.tokenizer.labelTokens.map((l) => `\`" ${l.word}"\` → ${l.id}`).join(', ')}.

## Data

Only the **unlabelled texts** of the **train and valid splits** of NusaX-Senti, in all
${f.data.languages.length} languages (${f.data.languages.join(', ')}); the sentiment labels are not used and
**no test split was read**, so the NusaX test sets remain unseen. No other text was used (in
particular no XNLI text).

- Held out: ${f.data.heldOutSentenceIds} sentence ids (${pct(f.data.heldOutFraction)} of them), each with all its translations —
  ${f.data.heldOutTexts} texts, ${f.data.heldOutTokens.toLocaleString('en-US')} scored tokens, ${f.data.heldOutBytes.toLocaleString('en-US')} bytes. NusaX is parallel, so holding
  out whole sentences keeps every translation of a held-out text out of training. The tokenizer was
  learned without them too.
- Training: ${f.data.trainTexts} texts, packed (each followed by \`<|endoftext|>\`) into ${f.data.trainRows} rows of at most
  ${r.sequenceLength} tokens: ${f.data.trainTokens.toLocaleString('en-US')} next-token predictions per epoch.

## Training

From random initialization (normal(0, ${c['initializer_range']}), seed ${f.seed}), next-token cross-entropy with
padding positions weighted 0, on the CPU with Lontar's own ONNX training engine, float32:
AdamW (β = ${r.beta1}, ${r.beta2}; weight decay ${r.weightDecay} on matrices and embeddings), learning rate
${r.learningRate} with ${r.warmupSteps} warm-up steps then linear decay to 0, gradient norm clipped to ${r.clipNorm},
batches of ${r.batchSize} rows, ${r.epochs} epochs = ${f.totalSteps} steps (${f.steps} run), rows reshuffled each epoch.
The build is deterministic: \`npm run build:demo-model\` regenerates these files byte for byte on the
same kind of CPU (one onnxruntime thread; onnxruntime picks its kernels by instruction set).

## Results

Held-out next-token cross-entropy, ${f.finalHeldOut.tokens.toLocaleString('en-US')} tokens:

| | loss (nats/token) | perplexity |
|---|---|---|
| before training | ${fixed(f.initialHeldOut.loss)} | ${fixed(f.initialHeldOut.perplexity, 1)} |
| after training | ${fixed(f.finalHeldOut.loss)} | **${fixed(f.finalHeldOut.perplexity, 2)}** |

That is ${fixed(bitsPerByte)} bits per byte of held-out text (end-of-text predictions included), a measure
that does not depend on the tokenizer. Perplexity per token is specific to this ${f.tokenizer.vocabSize}-token
vocabulary and is not comparable with other models'.

The number of epochs was chosen by watching this same held-out slice (a longer run began to overfit),
so the score is slightly optimistic; the NusaX test splits, never read, remain for unbiased evaluation.

Loss curve (training loss: mean over the steps since the previous logged step, at most ${r.logEverySteps};
every ${r.logEverySteps} steps in \`training-log.json\`):

| step | epoch | learning rate | training loss | held-out loss | held-out perplexity |
|---|---|---|---|---|---|
${evaluated.map((e) => `| ${e.step} | ${e.epoch} | ${e.lr.toExponential(2)} | ${e.trainLoss === null ? '–' : fixed(e.trainLoss)} | ${fixed(e.heldOutLoss!)} | ${fixed(e.heldOutPerplexity!, 2)} |`).join('\n')}

## Licence and attribution

This model is a derivative of the NusaX-Senti texts and is shared under the same licence,
**CC BY-SA 4.0** (https://creativecommons.org/licenses/by-sa/4.0/). NusaX-Senti is by Genta Indra
Winata, Alham Fikri Aji, Samuel Cahyawijaya, Rahmad Mahendra, Fajri Koto, Ade Romadhony, Kemal
Kurniawan, David Moeljadi, Radityo Eko Prasojo, Pascale Fung, Timothy Baldwin, Jey Han Lau, Rico
Sennrich and Sebastian Ruder (https://github.com/IndoNLP/nusax, CC BY-SA 4.0). Change made: the texts
were used, without their labels, to train this tokenizer and model.

\`\`\`
@inproceedings{winata-etal-2023-nusax,
    title = "NusaX: Multilingual Parallel Sentiment Dataset for 10 Indonesian Local Languages",
    author = "Winata, Genta Indra and Aji, Alham Fikri and Cahyawijaya, Samuel and Mahendra, Rahmad and
      Koto, Fajri and Romadhony, Ade and Kurniawan, Kemal and Moeljadi, David and Prasojo, Radityo Eko and
      Fung, Pascale and Baldwin, Timothy and Lau, Jey Han and Sennrich, Rico and Ruder, Sebastian",
    booktitle = "Proceedings of the 17th Conference of the European Chapter of the Association for Computational Linguistics",
    year = "2023", address = "Dubrovnik, Croatia", publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2023.eacl-main.57", pages = "815--834"
}
\`\`\`

## Limitations

Tiny and trained on little text: it models NusaX-style review sentences in these languages and
little else. Inputs longer than ${r.sequenceLength} tokens use positions it never saw in pretraining.
Use it to try Lontar's workflow, not to draw conclusions about the method at scale.
`;
}

function fixed(x: number, digits = 4): string {
  return x.toFixed(digits);
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
