CREATE CONSTRAINT kg_paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_concept_id IF NOT EXISTS FOR (n:Concept) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_evidence_id IF NOT EXISTS FOR (n:Evidence) REQUIRE n.id IS UNIQUE;
CREATE INDEX kg_concept_label IF NOT EXISTS FOR (n:Concept) ON (n.label);
CREATE INDEX kg_concept_type IF NOT EXISTS FOR (n:Concept) ON (n.type);
