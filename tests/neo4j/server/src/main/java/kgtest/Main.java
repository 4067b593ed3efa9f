package kgtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * The test launcher of kg's Neo4j tests: the real Neo4j 5 Community engine, nothing mocked.
 *
 * <pre>
 *   java -cp 'lib/*:launcher.jar' kgtest.Main serve HOME
 *   java -cp 'lib/*:launcher.jar' kgtest.Main admin HOME database import full ...
 * </pre>
 *
 * <p>{@code serve} starts a DBMS in HOME with the settings of HOME/conf/neo4j.conf (the Python
 * fixture writes it: Bolt on 127.0.0.1 port 0, auth, memory limits, read-only or not), sets the
 * password of user neo4j from the environment variable KG_NEO4J_PASSWORD when it is given,
 * prints {@code KG-NEO4J-READY <bolt port>} and serves until its standard input is closed, so
 * the server never outlives the test process that started it.
 *
 * <p>{@code admin} runs the real neo4j-admin tool ({@link AdminTool}) with HOME as NEO4J_HOME and
 * HOME/conf as NEO4J_CONF, e.g. {@code database import full neo4j --nodes=...}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("serve")) {
            serve(Path.of(args[1]).toAbsolutePath());
        } else if (args.length >= 2 && args[0].equals("admin")) {
            Path home = Path.of(args[1]).toAbsolutePath();
            String[] rest = Arrays.copyOfRange(args, 2, args.length);
            System.exit(AdminTool.execute(new ExecutionContext(home, home.resolve("conf")), rest));
        } else {
            System.err.println("usage: kgtest.Main serve HOME | admin HOME ARGS...");
            System.exit(2);
        }
    }

    private static void serve(Path home) throws Exception {
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        Path conf = home.resolve("conf").resolve("neo4j.conf");
        if (Files.exists(conf)) {
            builder.loadPropertiesFromFile(conf);
        }
        DatabaseManagementService dbms = builder.build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown));

        String password = System.getenv("KG_NEO4J_PASSWORD");
        if (password != null && !password.isEmpty()) {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        }
        GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database("neo4j");
        int port = db.getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT)
                .getPort();
        System.out.println("KG-NEO4J-READY " + port);
        System.out.flush();

        // Serve until the parent closes our stdin (or dies, which closes it too).
        while (System.in.read() != -1) {
            // discard
        }
        dbms.shutdown();
        System.exit(0);
    }
}
