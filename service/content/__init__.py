"""Clinical content: texts, sources and review dates loaded from data files and validated once."""
from service.content.knowledge_base import (
    KnowledgeBase,
    KnowledgeBaseError,
    load_knowledge_base,
    DEFAULT_DATA_DIR,
)

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "load_knowledge_base", "DEFAULT_DATA_DIR"]
