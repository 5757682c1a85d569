"""A tiny, random, *real* causal LM for tests: no model hub, built in a second on CPU.

``build_tiny_lm(path)`` trains a byte-level BPE tokenizer with ``tokenizers`` on a few hundred Arabic + English
lines generated here, builds a Qwen2 model (hidden 64, 2 layers) with random weights, sets a ChatML-style chat
template, and saves both with ``save_pretrained`` so ``AutoTokenizer.from_pretrained(path)`` and
``AutoModelForCausalLM.from_pretrained(path)`` load it like any checkpoint. Its output is noise: tests assert
plumbing (shapes, statuses, counts, resumability), never content.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

AR_WORDS = (
    "في من على إلى عن مع أن التي الذي كان كانت هذا هذه بين بعد قبل عام اليوم وزارة الصحة التعليم المملكة "
    "الرياض جدة مكة المدينة الشركة المشروع الطلاب المدرسة الجامعة الحكومة الوزير المتحدث الرسمي قال أعلن "
    "أكد أوضح أشار افتتاح مستشفى مستشفيات جديدة جديد كبير المهرجان السنوي زائر ألف مليون ريال دولار سوق "
    "الأسهم ارتفع انخفض مؤشر الاقتصاد النفط الطاقة المياه الكهرباء الطرق النقل المطار الرحلات الأمطار الطقس "
    "الحرارة درجة الشمس البحر الأحمر الخليج العربي اللغة العربية الثقافة التاريخ الكتاب المكتبة الأطفال "
    "الأسرة المجتمع الشباب الرياضة النادي المباراة الفريق الهلال النصر الاتحاد الأهلي الدوري الكأس"
).split()
EN_WORDS = (
    "the of and to in is was for on with that by as from at ministry health school project city market oil "
    "energy water new year today said announced Apple Samsung Google report data model team league cup"
).split()
PUNCT = ["،", ".", "؟", "!", ":", "."]

CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<pad>"]


def corpus_lines(n: int = 400, seed: int = 0) -> list[str]:
    """Mixed Arabic/English lines with numbers (Western and Arabic-Indic) so the BPE learns both scripts."""
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        words = []
        for _ in range(rng.randint(6, 24)):
            r = rng.random()
            if r < 0.78:
                words.append(rng.choice(AR_WORDS))
            elif r < 0.9:
                words.append(rng.choice(EN_WORDS))
            elif r < 0.95:
                words.append(str(rng.randint(0, 3000)))
            else:
                words.append("".join(chr(0x0660 + int(d)) for d in str(rng.randint(0, 999))))
        lines.append(" ".join(words) + rng.choice(PUNCT))
    return lines


def build_tiny_lm(path, *, chat_template: bool = True, vocab_size: int = 800, hidden_size: int = 64,
                  num_layers: int = 2, max_position_embeddings: int = 1024, seed: int = 0) -> str:
    """Build (or reuse, when ``path`` already holds one) the tiny model; returns ``str(path)``."""
    path = Path(path)
    marker = path / "tiny_lm.json"
    wanted = {"chat_template": chat_template, "vocab_size": vocab_size, "hidden_size": hidden_size,
              "num_layers": num_layers, "max_position_embeddings": max_position_embeddings, "seed": seed}
    if marker.is_file() and json.loads(marker.read_text()) == wanted:
        return str(path)
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    path.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus_lines(seed=seed), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|im_end|>",
                                   pad_token="<pad>", unk_token=None, padding_side="left")
    if chat_template:
        fast.chat_template = CHAT_TEMPLATE
    fast.model_max_length = max_position_embeddings
    fast.save_pretrained(path)

    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(fast), hidden_size=hidden_size, intermediate_size=hidden_size * 2,
        num_hidden_layers=num_layers, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=max_position_embeddings, tie_word_embeddings=True,
        bos_token_id=fast.bos_token_id, eos_token_id=fast.eos_token_id, pad_token_id=fast.pad_token_id,
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = fast.eos_token_id
    model.generation_config.pad_token_id = fast.pad_token_id
    model.save_pretrained(path)
    marker.write_text(json.dumps(wanted))
    return str(path)
