package io.reelrank.index;

import java.util.List;

/** The hits of one search, and how many movies matched in all (query and filters). */
public record SearchResult(String query, List<SearchHit> hits, long totalMatches) {}
