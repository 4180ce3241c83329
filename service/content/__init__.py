"""Clinical content: texts, sources and review dates loaded from data files and validated once.

`load_knowledge_base` gives the default edition (en-GB, region-neutral); `load_editions` every
(language, region) edition, all built and checked at start-up (service/content/editions.py).
"""
from service.content.editions import Edition, Editions, load_editions, load_knowledge_base
from service.content.loader import DEFAULT_DATA_DIR, KnowledgeBaseError
from service.content.models import KnowledgeBase

__all__ = ["DEFAULT_DATA_DIR", "Edition", "Editions", "KnowledgeBase", "KnowledgeBaseError", "load_editions",
           "load_knowledge_base"]
