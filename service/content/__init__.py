"""Clinical content: texts, sources and review dates loaded from data files and validated once."""
from service.content.loader import DEFAULT_DATA_DIR, KnowledgeBaseError, load_knowledge_base
from service.content.models import KnowledgeBase

__all__ = ["DEFAULT_DATA_DIR", "KnowledgeBase", "KnowledgeBaseError", "load_knowledge_base"]
