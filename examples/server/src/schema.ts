import type { Generated } from 'kysely';

/** The tables of the Case Crafter schema this service reads and writes, as kysely sees them. */
export interface CaseCrafterDatabase {
  domains: {
    id: Generated<number>;
    slug: string;
    name: string;
    description: string | null;
  };
  case_studies: {
    id: Generated<number>;
    domain_id: number;
    author_id: number | null;
    title: string;
    summary: string | null;
    // Both have a default, so an insert may leave them out.
    difficulty: Generated<'beginner' | 'intermediate' | 'advanced'>;
    status: Generated<'draft' | 'published' | 'archived'>;
    published_at: string | null;
  };
  settings: {
    key: string;
    value: string;
    description: string | null;
  };
}
