package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page end to end in Debian's headless Chromium, driven through {@code /usr/bin/chromedriver}
 * (both installed by {@code scripts/install-deps}; nothing is downloaded): a person types
 * {@code lord}, picks the Fantasy Lover and sees the Lord of the Rings films above the others in the
 * personalized column, then rates a movie and sees the list re-ranked. Screenshots go to
 * {@code target/screenshots/}.
 */
@Tag("browser")
class WebPageBrowserTest {

    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final int RATER = 39301;
    static final int KEYED_RATER = 39313;

    private static ChromeDriver driver;
    private static Path profile;

    @BeforeAll
    static void startTheBrowser() throws Exception {
        assertTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "the browser test needs Debian's chromium and chromium-driver: run scripts/install-deps");
        HttpFixture.server();
        profile = Files.createTempDirectory("reelrank-chromium-");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1360,1500", "--lang=en-US");
        driver = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopTheBrowser() throws Exception {
        if (driver != null) driver.quit();
        if (profile != null) {
            try (Stream<Path> s = Files.walk(profile)) {
                s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
        HttpFixture.deleteUsers(RATER);
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(30));
    }

    private static void open() {
        driver.get(HttpFixture.uri("/").toString());
        waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
    }

    /** Submits the search and waits until both columns have been drawn for it. */
    private static void searchFor(String query) {
        WebElement q = driver.findElement(By.id("q"));
        q.clear();
        q.sendKeys(query);
        driver.findElement(By.id("search-btn")).click();
        waitForResults();
    }

    private static void waitForResults() {
        waiting().until(d -> "done".equals(d.findElement(By.id("personalized")).getAttribute("data-state"))
                && !d.findElements(By.cssSelector("#personalized li.result")).isEmpty());
    }

    private record Row(int rank, int movieId, List<String> genres) {}

    private static List<Row> column(String id) {
        List<Row> rows = new ArrayList<>();
        for (WebElement li : driver.findElements(By.cssSelector("#" + id + " li.result"))) {
            List<String> genres = new ArrayList<>();
            for (WebElement chip : li.findElements(By.cssSelector(".chips .chip"))) genres.add(chip.getText());
            rows.add(new Row(Integer.parseInt(li.getAttribute("data-rank")), Integer.parseInt(li.getAttribute("data-movie-id")),
                    genres));
        }
        return rows;
    }

    private static void screenshot(String name) throws Exception {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void theFantasyLoverSeesTheLordOfTheRingsFilmsOnTopOfThePersonalizedColumn() throws Exception {
        open();
        driver.findElement(By.id("q")).sendKeys("lord");
        new Select(driver.findElement(By.id("user"))).selectByValue("10001");
        searchFor("lord");
        waiting().until(d -> !d.findElement(By.id("user-card")).getText().isEmpty());

        List<Row> personalized = column("personalized");
        List<Row> bm25 = column("bm25");
        assertEquals(10, personalized.size());
        assertEquals(10, bm25.size());
        List<Integer> lotrRanks = new ArrayList<>();
        List<Integer> otherRanks = new ArrayList<>();
        for (Row r : personalized) {
            if (ApiServerTest.LOTR.contains(r.movieId())) lotrRanks.add(r.rank());
            else otherRanks.add(r.rank());
        }
        assertEquals(4, lotrRanks.size(), "all four Lord of the Rings films must be in the personalized top 10: " + personalized);
        assertEquals(List.of(1, 2, 3, 4), lotrRanks.stream().sorted().toList(),
                "they must stand above every other film: " + personalized);
        for (Row r : personalized) {
            if (ApiServerTest.LOTR.contains(r.movieId())) assertTrue(r.genres().contains("Fantasy"), r.toString());
        }
        assertTrue(driver.findElement(By.id("personalized-sub")).getText().contains("Fantasy Lover"));
        assertTrue(!driver.findElements(By.cssSelector("#personalized .move.up")).isEmpty(), "arrows show the movement");
        assertTrue(driver.findElement(By.id("user-card")).getText().contains("50 ratings"));
        // "For you": recommendations without a query, from the collaborative towers, none already rated.
        waiting().until(d -> d.findElement(By.id("for-you")).isDisplayed()
                && !d.findElements(By.cssSelector("#for-you-list li.pick")).isEmpty());
        assertTrue(driver.findElement(By.id("for-you-sub")).getText().contains("collaborative towers"),
                driver.findElement(By.id("for-you-sub")).getText());
        List<WebElement> picks = driver.findElements(By.cssSelector("#for-you-list li.pick"));
        assertEquals(10, picks.size());
        for (WebElement p : picks) {
            assertTrue(!ApiServerTest.LOTR.contains(Integer.parseInt(p.getAttribute("data-movie-id"))), "rated already");
        }
        screenshot("lord-fantasy-lover.png");
    }

    @Test
    void aRatingFromThePageReRanksAtOnce() throws Exception {
        // A user of its own, made through the API with one rating, so the test users stay as they are.
        assertEquals(200, HttpFixture.post(HttpFixture.server(), "/api/users/" + RATER + "/ratings",
                "{\"movie_id\": 2571, \"rating\": 5}", null).statusCode());
        driver.get(HttpFixture.uri("/?q=lord&user=" + RATER).toString());
        waitForResults();
        List<Row> before = column("personalized");
        Row target = before.get(before.size() - 1);
        String stars = "#personalized li.result[data-movie-id='" + target.movieId() + "'] button.star[data-rating='5']";
        driver.findElement(By.cssSelector(stars)).click();
        waiting().until(d -> d.findElement(By.id("toast")).isDisplayed()
                && d.findElement(By.id("toast")).getText().contains("re-ranked"));
        waitForResults();
        waiting().until(d -> !d.findElements(By.cssSelector("#personalized li.result[data-movie-id='" + target.movieId()
                + "'] .given")).isEmpty());
        List<Row> after = column("personalized");
        int rankAfter = after.stream().filter(r -> r.movieId() == target.movieId()).mapToInt(Row::rank).findFirst()
                .orElseThrow(() -> new AssertionError("the rated movie left the top 10: " + after));
        assertTrue(rankAfter < target.rank(), "a 5-star rating must lift the movie from rank " + target.rank()
                + ", got " + rankAfter);
        assertEquals(2, ApiServerTest.json(HttpFixture.get("/api/users/" + RATER)).get("rating_count").asInt());
        screenshot("rating-reranks.png");
    }

    @Test
    void thePageSendsTheImpressionOfEachListAndAClickForTheMovieItRates() throws Exception {
        int user = 39321;
        assertEquals(200, HttpFixture.post(HttpFixture.server(), "/api/users/" + user + "/ratings",
                "{\"movie_id\": 2571, \"rating\": 5}", null).statusCode());
        try {
            driver.get(HttpFixture.uri("/?q=lord&user=" + user).toString());
            waitForResults();
            List<Row> shown = column("personalized");
            Row target = shown.get(2);
            driver.findElement(By.cssSelector("#personalized li.result[data-movie-id='" + target.movieId()
                    + "'] button.star[data-rating='4']")).click();
            waiting().until(d -> d.findElement(By.id("toast")).getText().contains("re-ranked"));
            // The page posts its events without waiting for them: wait until the click is stored.
            String click = "SELECT count(*) FROM events WHERE user_id = " + user + " AND type = 'click' AND movie_id = "
                    + target.movieId() + " AND position = 3";
            waiting().until(d -> count(click) == 1);
            assertTrue(count("SELECT count(*) FROM events WHERE user_id = " + user + " AND type = 'impression' "
                    + "AND movie_ids[1] = " + shown.get(0).movieId() + " AND cardinality(movie_ids) = " + shown.size())
                    >= 1, "the personalized list's impression");
            waiting().until(d -> count("SELECT count(*) FROM events WHERE type = 'impression' AND user_id IS NULL "
                    + "AND request_id IS NOT NULL AND received_at > now() - interval '10 minutes'") >= 1);
        } finally {
            try (java.sql.Connection c = HttpFixture.db().connect(); java.sql.Statement st = c.createStatement()) {
                st.execute("DELETE FROM events WHERE user_id = " + user + " OR event_id LIKE 'page-%'");
            }
            HttpFixture.deleteUsers(user);
        }
    }

    private static long count(String sql) {
        try (java.sql.Connection c = HttpFixture.db().connect(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the column without a user has been drawn for the page's current query. */
    private static void waitForTheColumnWithoutAUser() {
        waiting().until(d -> "done".equals(d.findElement(By.id("bm25")).getAttribute("data-state"))
                && !d.findElements(By.cssSelector("#bm25 li.result")).isEmpty());
    }

    private static List<String> titles(String column) {
        List<String> out = new ArrayList<>();
        for (WebElement a : driver.findElements(By.cssSelector("#" + column + " li.result .title a"))) {
            out.add(a.getText());
        }
        return out;
    }

    @Test
    void aMisspelledQueryOffersItsCorrectionAndAClickSearchesForIt() throws Exception {
        driver.get(HttpFixture.uri("/?q=harry%20poter").toString());
        waitForTheColumnWithoutAUser();
        WebElement link = driver.findElement(By.cssSelector("#did-you-mean a"));
        assertTrue(driver.findElement(By.id("did-you-mean")).isDisplayed());
        assertEquals("harry potter", link.getText());
        assertTrue(titles("bm25").subList(0, 3).stream().anyMatch(t -> t.startsWith("Harry Potter")),
                titles("bm25").toString());
        link.click();
        waiting().until(d -> "harry potter".equals(d.findElement(By.id("q")).getAttribute("value"))
                && "done".equals(d.findElement(By.id("bm25")).getAttribute("data-state"))
                && !d.findElement(By.id("did-you-mean")).isDisplayed());
        assertTrue(titles("bm25").subList(0, 3).stream().allMatch(t -> t.startsWith("Harry Potter")),
                titles("bm25").toString());
    }

    @Test
    void aDescriptionShowsWhichListFoundEachResult() throws Exception {
        driver.get(HttpFixture.uri("/?q=wizard%20school").toString());
        waitForTheColumnWithoutAUser();
        List<WebElement> rows = driver.findElements(By.cssSelector("#bm25 li.result"));
        List<WebElement> found = driver.findElements(By.cssSelector("#bm25 li.result .found"));
        assertEquals(rows.size(), found.size(), "under hybrid retrieval every result says which list found it");
        List<String> by = new ArrayList<>();
        for (WebElement f : found) by.add(f.getText());
        assertTrue(by.contains("found by semantic") || by.contains("found by both"), by.toString());
        assertTrue(driver.findElement(By.id("bm25-sub")).getText().contains("hybrid retrieval"),
                driver.findElement(By.id("bm25-sub")).getText());
        screenshot("wizard-school-hybrid.png");
    }

    @Test
    void aPersonWithAUserKeySearchesAndRatesAsThatUserWithTheKeyKeptInTheTabOnly() throws Exception {
        int user = KEYED_RATER;
        String key;
        try (io.reelrank.service.Keys keys = new io.reelrank.service.Keys(HttpFixture.db(), null)) {
            key = keys.create(io.reelrank.service.Access.Role.USER, user, "WebPageBrowserTest").key();
        }
        try (ApiServer keyed = ApiServer.start(ApiServer.Options.loopback(), HttpFixture.db(), HttpFixture.search(),
                io.reelrank.service.Access.Policy.DEFAULT)) {
            try {
                assertEquals(200, HttpFixture.post(keyed, "/api/users/" + user + "/ratings",
                        "{\"movie_id\": 4993, \"rating\": 5.0}", "Bearer " + key).statusCode());
                driver.get(keyed.uri().resolve("/").toString());
                waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
                assertEquals(1, new Select(driver.findElement(By.id("user"))).getOptions().size(),
                        "without a key the page offers no user: the list of users needs an admin key");
                driver.findElement(By.cssSelector("#filters summary")).click();
                WebElement field = driver.findElement(By.id("token"));
                field.sendKeys(key);
                field.sendKeys(org.openqa.selenium.Keys.TAB);
                waiting().until(d -> String.valueOf(user).equals(
                        new Select(d.findElement(By.id("user"))).getFirstSelectedOption().getAttribute("value")));
                searchFor("lord");
                Row target = column("personalized").get(4);
                driver.findElement(By.cssSelector("#personalized li.result[data-movie-id='" + target.movieId()
                        + "'] button.star[data-rating='4']")).click();
                waiting().until(d -> d.findElement(By.id("toast")).isDisplayed()
                        && d.findElement(By.id("toast")).getText().contains("re-ranked"));
                JsonNode me = ApiServerTest.JSON.readTree(HttpFixture.send(keyed, "GET", "/api/users/" + user,
                        "Bearer " + key).body());
                assertEquals(2, me.get("rating_count").asInt(), "the page rated as the key's user");
                org.openqa.selenium.JavascriptExecutor js = driver;
                assertEquals(key, js.executeScript("return sessionStorage.getItem('reelrank.key')"));
                assertEquals(null, js.executeScript("return localStorage.getItem('reelrank.key')"));
                assertFalse(driver.getCurrentUrl().contains("rk_"), driver.getCurrentUrl());
            } finally {
                // Through the product's path: the user, their ratings and their key go.
                HttpFixture.send(keyed, "DELETE", "/api/users/" + user, "Bearer " + key);
            }
        }
    }
}
